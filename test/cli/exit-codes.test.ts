// Exit codes come from one map of the error catalogue's codes: a usage error exits 2, an
// abort_message 3, lint findings 4, and every other coded error 1 with one plain line (no stack
// trace), whether it was met locally or answered by the service's API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_OF } from '../../src/cli/exit-codes.js';
import { MQL_TEMPLATE, runCli, startSink, tempDir, writeTemp, type Sink } from './helpers.js';

const dir = tempDir('lh-cli-exit-');
const plain = writeTemp(dir, 'hello.liquid', 'Hello {{ first_name }}');
const broken = writeTemp(dir, 'broken.liquid', 'Hello {% if first_name %}');
const badJson = writeTemp(dir, 'attrs.json', '{"first_name": ');

describe('exit codes', () => {
  let api: Sink;
  beforeAll(async () => {
    api = await startSink((req, res) => {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'LH_REPLAY_REFUSED', message: 'delivery is sending: it is still being sent' }));
    });
  });
  afterAll(() => api?.close());

  const cases: { name: string; args: string[]; env?: Record<string, string>; exit: number; stderr: string }[] = [
    { name: 'a usage error', args: ['render', plain, '--attrs', '{'], exit: EXIT_CODE_OF.LH_USAGE, stderr: '--attrs: not valid JSON' },
    {
      name: 'abort_message',
      args: ['render', MQL_TEMPLATE, '--attrs', '{"lead score": 40}', '--connected-content', 'stub'],
      exit: EXIT_CODE_OF.LH_RENDER_ABORTED,
      stderr: 'aborted: not at threshold',
    },
    { name: 'lint findings', args: ['lint', broken], exit: EXIT.LINT_FINDINGS, stderr: '' },
    { name: 'a file that cannot be read', args: ['render', 'no/such.liquid'], exit: EXIT_CODE_OF.LH_FILE_UNREADABLE, stderr: 'no/such.liquid: cannot read file' },
    { name: 'a file that is not JSON', args: ['render', plain, '--attrs-file', badJson], exit: EXIT_CODE_OF.LH_FILE_INVALID, stderr: 'attrs.json: not valid JSON' },
    {
      name: 'a configuration that is not valid',
      args: ['render', plain, '--attrs', '{}'],
      env: { LIQUIDHOOK_ALLOWED_HOSTS: 'not a host!' },
      exit: EXIT_CODE_OF.LH_CONFIG_INVALID,
      stderr: 'liquidhook: LIQUIDHOOK_ALLOWED_HOSTS: "not a host!" is not a hostname',
    },
    { name: 'a delivery missing from the database', args: ['replay', 'nope'], env: { LIQUIDHOOK_DB: ':memory:' }, exit: EXIT_CODE_OF.LH_NOT_FOUND, stderr: 'delivery nope not found' },
  ];

  it.each(cases)('$name exits $exit', async ({ args, env, exit, stderr }) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(exit);
    expect(result.stderr).toContain(stderr);
    // Reported on purpose: plain lines, never a stack trace.
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('keeps the code the API answered with (LH_REPLAY_REFUSED exits as a local refusal would)', async () => {
    const result = await runCli(['replay', 'd9'], { LIQUIDHOOK_URL: api.url, LIQUIDHOOK_API_KEY: 'k' });
    expect(result.code).toBe(EXIT_CODE_OF.LH_REPLAY_REFUSED);
    expect(result.stderr).toBe('liquidhook: cannot replay delivery d9: delivery is sending: it is still being sent\n');
  });

  it('documents usage 2, abort 3 and lint 4', () => {
    expect([EXIT_CODE_OF.LH_USAGE, EXIT_CODE_OF.LH_RENDER_ABORTED, EXIT.LINT_FINDINGS]).toEqual([2, 3, 4]);
    expect(EXIT_CODE_OF.LH_NOT_FOUND).toBe(1);
  });
});

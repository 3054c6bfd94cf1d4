// `liquidhook render` as a child process: the guide's Salesforce template against a loopback
// stand-in (placeholders from the environment), the abort path, plain templates and errors.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { MQL_TEMPLATE, runCli, tempDir, writeTemp } from './helpers.js';

describe('liquidhook render', () => {
  let fake: FakeSalesforce;
  const dir = tempDir();
  beforeAll(async () => {
    fake = await startFakeSalesforce();
  });
  afterAll(async () => {
    await fake?.close();
  });
  const env = () => ({
    SALESFORCE_INSTANCE_URL: fake.url,
    SALESFORCE_CLIENT_ID: fake.clientId,
    SALESFORCE_CLIENT_SECRET: fake.clientSecret,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
  });

  it('prints the body above the threshold, calling the token endpoint live', async () => {
    const before = fake.tokens.length;
    const result = await runCli(['render', MQL_TEMPLATE, '--attrs', '{"lead score": 150}'], env());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ lead_status: 'MQL' });
    expect(fake.tokens.length).toBe(before + 1);
  });

  it('includes the content blocks of content-blocks/ next to the file', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'content-blocks'));
    writeTemp(root, 'content-blocks/signature.liquid', '-- {{${first_name}}}\n');
    const path = writeTemp(root, 'note.liquid', 'Hello {{content_blocks.${signature}}}');
    const result = await runCli(['render', path, '--attrs', '{"first_name": "Ada"}']);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('Hello -- Ada');
  });

  it('exits 3 with the abort reason below the threshold', async () => {
    const result = await runCli(['render', MQL_TEMPLATE, '--attrs', '{"lead score": 40}'], env());
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('aborted: not at threshold');
    expect(result.stdout).toBe('');
  });

  it('--json reports the abort and the connected_content call without the token', async () => {
    const result = await runCli(['render', MQL_TEMPLATE, '--attrs', '{"lead score": 40}', '--json'], env());
    expect(result.code).toBe(3);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ output: null, aborted: { reason: 'not at threshold' }, errors: [], warnings: [] });
    expect(json.connectedContent).toEqual([expect.objectContaining({ method: 'POST', status: 200, saveAs: 'result' })]);
    expect(result.stdout).not.toContain(fake.clientSecret);
    for (const token of fake.tokens) expect(result.stdout).not.toContain(token);
  });

  it('stub mode needs no network and no placeholders, and says which placeholders are unset', async () => {
    const result = await runCli(['render', MQL_TEMPLATE, '--attrs', '{"lead score": 101}', '--connected-content', 'stub']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ lead_status: 'MQL' });
    expect(result.stderr).toContain('warning: SALESFORCE_CLIENT_ID is not set');
  });

  it('renders a plain Liquid template with attributes read through Braze names', async () => {
    const path = writeTemp(dir, 'hello.liquid', 'Hi {{${first_name}}}, score {{custom_attribute.${lead score} | plus: 1}}');
    const result = await runCli(['render', path, '--attrs', '{"first_name": "Ada", "lead score": 9}']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Hi Ada, score 10\n');
  });

  it('prints the message_extras pairs to stderr, and in --json', async () => {
    const path = writeTemp(dir, 'extras.liquid', 'Hi{% message_extras :key tier :value {{ custom_attribute.${tier} }} %}{% message_extras :key source :value cli %}');
    const result = await runCli(['render', path, '--attrs', '{"tier": "gold"}']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Hi\n');
    expect(result.stderr).toBe('message_extras: {"tier":"gold","source":"cli"}\n');
    const json = await runCli(['render', path, '--attrs', '{"tier": "gold"}', '--json']);
    expect(JSON.parse(json.stdout).messageExtras).toEqual({ tier: 'gold', source: 'cli' });
    const plain = await runCli(['render', writeTemp(dir, 'no-extras.liquid', 'Hi'), '--attrs', '{}']);
    expect(plain.stderr).toBe('');
  });

  it('reads relative paths from its working directory and --attrs-file - from standard input', async () => {
    writeTemp(dir, 'relative.liquid', 'Hi {{${first_name}}}');
    const result = await runCli(['render', 'relative.liquid', '--attrs-file', '-'], {}, { cwd: dir, stdin: '{"first_name": "Grace"}' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('Hi Grace\n');
    const elsewhere = await runCli(['render', 'relative.liquid', '--attrs', '{}']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('relative.liquid: cannot read file');
  });

  it('a parse error names file:line:column and exits 1', async () => {
    const path = writeTemp(dir, 'broken.liquid', 'line one\n  {% if x %}\n  never closed');
    const result = await runCli(['render', path, '--attrs', '{}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:3: .*not closed`));
  });

  it('a render error inside a webhook header points at the header line in the file', async () => {
    const path = writeTemp(
      dir,
      'header-error.webhook.liquid',
      ['---', 'name: Header error', 'url: https://example.com/', 'method: POST', 'headers:', '  X-Total: |-', '    first line', '    {{ 1 | divided_by: 0 }}', '---', '{}', ''].join('\n'),
    );
    const result = await runCli(['render', path, '--attrs', '{}', '--connected-content', 'stub']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path}:8:5: header:X-Total:`);
  });

  it('usage errors exit 2: no file, unknown option, bad --attrs', async () => {
    expect((await runCli(['render'])).code).toBe(2);
    const unknown = await runCli(['render', MQL_TEMPLATE, '--nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--nope'");
    const badAttrs = await runCli(['render', MQL_TEMPLATE, '--attrs', '[1]']);
    expect(badAttrs.code).toBe(2);
    expect(badAttrs.stderr).toContain('--attrs: must be a JSON object');
  });

  it('a missing file exits 1 with the path', async () => {
    const result = await runCli(['render', 'no/such.webhook.liquid', '--attrs', '{}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no/such.webhook.liquid: cannot read file');
  });
});

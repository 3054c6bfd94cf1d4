// `liquidhook preview` and `liquidhook send` as child processes against loopback servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { MQL_TEMPLATE, runCli, startSink, tempDir, writeTemp, type Sink } from './helpers.js';

describe('liquidhook preview', () => {
  let fake: FakeSalesforce;
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

  it('shows the token call and the request with the token redacted', async () => {
    const result = await runCli(['preview', MQL_TEMPLATE, '--attrs', '{"lead score": 150}', '--external-id', '00Q5e00000AbCdE'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`POST ${fake.url}/services/oauth2/token -> 200`);
    expect(result.stdout).toContain(`PATCH ${fake.url}/services/data/v60.0/sobjects/Lead/00Q5e00000AbCdE`);
    expect(result.stdout).toContain('Authorization: Bearer [REDACTED]');
    expect(result.stdout).toContain('"lead_status": "MQL"');
    expect(fake.tokens.length).toBeGreaterThan(0);
    for (const token of fake.tokens) expect(result.stdout + result.stderr).not.toContain(token);
    expect(result.stdout + result.stderr).not.toContain(fake.clientSecret);
    // Nothing but the token request went out.
    expect(fake.leadPatches()).toHaveLength(0);
  });

  it('--json has the request fields; an abort exits 3 with the reason', async () => {
    const result = await runCli(['preview', MQL_TEMPLATE, '--attrs', '{"lead score": 100}', '--json'], env());
    expect(result.code).toBe(3);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ method: 'PATCH', aborted: { reason: 'not at threshold' }, errors: [], warnings: [] });
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['url', 'headers', 'body', 'connectedContent']));
  });

  it('--reveal-secrets shows the token', async () => {
    const result = await runCli(['preview', MQL_TEMPLATE, '--attrs', '{"lead score": 150}', '--reveal-secrets', '--json'], env());
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).headers.Authorization).toBe(`Bearer ${fake.tokens.at(-1)}`);
  });

  it('shows the message_extras pairs a send would record', async () => {
    const dir = tempDir();
    const hook = writeTemp(
      dir,
      'extras.webhook.liquid',
      '---\nname: Extras\nurl: https://example.com/hook\nmethod: POST\n---\n{% message_extras :key lead :value {{ ${user_id} }} %}{"ok": true}',
    );
    const result = await runCli(['preview', hook, '--attrs', '{}', '--external-id', 'L-1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('message_extras: {"lead":"L-1"}');
    const json = await runCli(['preview', hook, '--attrs', '{}', '--external-id', 'L-1', '--json']);
    expect(JSON.parse(json.stdout).messageExtras).toEqual({ lead: 'L-1' });
  });

  it('refuses a plain template with a usage error', async () => {
    const dir = tempDir();
    const result = await runCli(['preview', writeTemp(dir, 'plain.liquid', 'hi')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('preview needs a .webhook.liquid file');
  });
});

describe('liquidhook send', () => {
  let sink: Sink;
  let failing: Sink;
  const dir = tempDir();
  const webhookTo = (name: string, url: string): string =>
    writeTemp(
      dir,
      `${name}.webhook.liquid`,
      ['---', `name: ${name}`, `url: ${url}/leads/{{\${user_id}}}`, 'method: POST', 'headers:', '  Content-Type: application/json', '---',
        '{"company": "{{custom_attribute.${company} | json_escape}}"}', ''].join('\n'),
    );
  beforeAll(async () => {
    sink = await startSink();
    failing = await startSink((_req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('maintenance'));
  });
  afterAll(async () => {
    await sink?.close();
    await failing?.close();
  });

  it('sends once to a loopback sink allowed by LIQUIDHOOK_ALLOWED_HOSTS and prints the status', async () => {
    const path = webhookTo('sink', sink.url);
    const result = await runCli(['send', path, '--attrs', '{"company": "Acme \\"Rockets\\""}', '--external-id', 'lead-7'], { LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`POST ${sink.url}/leads/lead-7 -> 200`);
    expect(result.stdout).toContain('{"ok":true}');
    expect(sink.received).toHaveLength(1);
    expect(JSON.parse(sink.received[0]!.body)).toEqual({ company: 'Acme "Rockets"' });
    expect(sink.received[0]!.headers['idempotency-key']).toMatch(/^test-/);
  });

  it('exits 1 on a non-2xx answer, with --json giving the result', async () => {
    const path = webhookTo('failing', failing.url);
    const result = await runCli(['send', path, '--attrs', '{}', '--json'], { LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ sent: true, result: { ok: false, status: 503, body: 'maintenance' } });
  });

  it('the SSRF guard blocks loopback unless allowed: nothing arrives, exit 1', async () => {
    const before = sink.received.length;
    const result = await runCli(['send', webhookTo('blocked', sink.url), '--attrs', '{}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ssrf_blocked');
    expect(sink.received.length).toBe(before);
  });

  it('needs a recipient: usage error without --user or --attrs', async () => {
    const result = await runCli(['send', webhookTo('norecipient', sink.url)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('give --user ID, --attrs JSON or --attrs-file PATH');
  });
});

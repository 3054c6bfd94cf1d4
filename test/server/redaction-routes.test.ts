// One redaction for every route that shows a rendered request or response: a token saved by
// connected_content (:save) and a client_secret never appear in a preview (campaign or editor),
// a test send (its request and the echoing response), a dry run or the delivery log.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { startServer, reply, type LoopbackServer } from '../dispatch/loopback.js';
import { apiClient, tempDb, waitFor, type Api } from '../e2e/helpers.js';

const ACCESS = 'AT-7f3k-access-0001';
const REFRESH = 'RT-9q2w-refresh-0002';
const CLIENT_SECRET = 'cs-51x8-client-secret';
const SECRETS = [ACCESS, REFRESH, CLIENT_SECRET];

describe('redaction on every route', () => {
  let tokens: LoopbackServer;
  let sink: LoopbackServer;
  let service: RunningService;
  let api: Api;

  beforeAll(async () => {
    tokens = await startServer((_req, res) => reply(res, 200, JSON.stringify({ access_token: ACCESS, refresh_token: REFRESH, token_type: 'Bearer' }), { 'content-type': 'application/json' }));
    // A careless endpoint: it echoes what it received.
    sink = await startServer((req, res) => reply(res, 200, JSON.stringify({ echo: { url: req.url, headers: req.headers, body: req.body } }), { 'content-type': 'application/json' }));
    service = await startService(
      loadConfig({ PORT: '0', LIQUIDHOOK_DB: tempDb(), LIQUIDHOOK_API_KEY: 'e2e-test-key-0123456789', LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1', LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent', LIQUIDHOOK_POLL_MS: '100' }),
      { logger: pino({ level: 'silent' }), env: {} },
    );
    api = apiClient(service.url);
    const webhook = {
      url: `${sink.origin}/leads/{{\${user_id}}}`,
      method: 'POST',
      headers: {
        Authorization: `{% connected_content ${tokens.origin}/token :method post :body client_id=app&client_secret=${CLIENT_SECRET}&grant_type=client_credentials :save token %}Bearer {{ token.access_token }}`,
        'X-Refresh': '{{ token.refresh_token }}',
        'Content-Type': 'application/json',
      },
      body: { type: 'raw', text: `{"lead": "{{\${user_id}}}", "rt": "{{ token.refresh_token }}", "note": "client_secret=${CLIENT_SECRET}"}` },
    };
    const campaign = { name: 'Redaction', trigger: { type: 'custom_attribute_changed', attribute: 'score' }, reeligible_after_seconds: 0, webhook };
    expect((await api.call('PUT', '/campaigns/redact', campaign)).status).toBe(201);
    expect((await api.call('POST', '/users/track', { attributes: [{ external_id: 'lead-1', score: 1 }] })).status).toBe(201);
  });
  afterAll(async () => {
    await service?.close();
    await tokens?.close();
    await sink?.close();
  });

  const clean = (what: string, value: unknown): void => {
    const text = JSON.stringify(value);
    for (const secret of SECRETS) expect(text, `${what} shows ${secret}`).not.toContain(secret);
    expect(text, `${what} shows nothing redacted`).toContain('[REDACTED]');
  };

  it('previews (saved and unsaved) with live connected_content', async () => {
    const saved = await api.call('POST', '/campaigns/redact/preview', { external_id: 'lead-1', connected_content: 'live' });
    expect(saved.status).toBe(200);
    expect(saved.json.errors).toEqual([]);
    clean('campaign preview', saved.json);
    const { json: stored } = await api.call('GET', '/campaigns/redact');
    const editor = await api.call('POST', '/preview', { webhook: stored.webhook, external_id: 'lead-1', connected_content: 'live' });
    expect(editor.status).toBe(200);
    clean('editor preview', editor.json);
  });

  it('test send: the request sent and the response echoing it', async () => {
    const before = sink.seen.length;
    const res = await api.call('POST', '/campaigns/redact/test-send', { external_id: 'lead-1' });
    expect(res.status).toBe(200);
    expect(res.json.result.status_code).toBe(200);
    // The destination did get the real values.
    expect(sink.seen.slice(before).at(-1)!.body).toContain(REFRESH);
    expect(res.json.result.body).toContain('echo');
    clean('test send', res.json);
  });

  it('dry run with live connected_content', async () => {
    const started = await api.call('POST', '/campaigns/redact/dry-run', { connected_content: 'live' });
    expect(started.status).toBe(202);
    const result = await waitFor('the dry run', async () => {
      const run = (await api.call('GET', `/dry-runs/${started.json.id}`)).json;
      return run.status === 'running' ? undefined : run;
    });
    expect(result).toMatchObject({ status: 'completed', would_send: { count: 1 } });
    clean('dry run', result);
  });

  it('delivery log', async () => {
    const delivery = await waitFor('the delivery', async () => {
      const [d] = (await api.call('GET', '/deliveries?external_id=lead-1')).json.deliveries;
      return d?.status === 'delivered' ? d : undefined;
    });
    const full = await api.call('GET', `/deliveries/${delivery.id}`);
    expect(full.json.attempts_log.length).toBeGreaterThan(0);
    clean('delivery log', full.json);
  });
});

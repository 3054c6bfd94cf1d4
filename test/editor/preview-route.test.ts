// The editor over a real socket: public page and assets, POST /preview behind the API key.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { ROOT } from '../e2e/helpers.js';
import { API_KEY, mqlWebhook, startTestService, type TestService } from './service.js';

describe('editor routes', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the page and its assets without a key, with a strict content policy', async () => {
    const page = await fetch(`${t.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/editor/js/app.js">');
    for (const [path, type] of [['/editor/js/app.js', 'text/javascript'], ['/editor/styles.css', 'text/css'], ['/editor/js/views/campaign-editor.js', 'text/javascript']]) {
      const response = await fetch(t.url + path!);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toContain(type!);
    }
  });

  it('serves nothing outside the asset list and keeps the API behind the key', async () => {
    for (const path of ['/editor/missing.js', '/editor/../package.json', '/editor/%2e%2e/package.json', '/editor/']) {
      const response = await fetch(t.url + path);
      // fetch resolves `..` itself, which leaves an unknown API path (401 without a key).
      expect([401, 404], path).toContain(response.status);
      expect(await response.text()).not.toContain('"name": "liquidhook"');
    }
    expect((await fetch(`${t.url}/campaigns`)).status).toBe(401);
    const preview = await t.call('POST', '/preview', { webhook: mqlWebhook() }, 'wrong-key-0123456789');
    expect(preview.status).toBe(401);
  });

  it('previews an unsaved webhook for given Liquid variables', async () => {
    const high = await t.call('POST', '/preview', { webhook: mqlWebhook(), context: { custom_attribute: { 'lead score': 150 } } });
    expect(high.status).toBe(200);
    expect(high.json.body).toContain('"lead_status": "MQL"');
    expect(high.json.method).toBe('PATCH');
    expect(high.json.url).toMatch(/\/Lead\/preview-user$/);
    expect(high.json.headers.Authorization).toMatch(/^Bearer /);
    expect(high.json.connected_content).toMatchObject([{ method: 'POST', status_code: 200, save_as: 'result' }]);
    expect(high.json.errors).toEqual([]);

    const low = await t.call('POST', '/preview', { webhook: mqlWebhook(), context: { custom_attribute: { 'lead score': 50 } } });
    expect(low.json.aborted).toEqual({ reason: 'not at threshold' });
    expect(low.json.body).toBe('');
  });

  it('reports template errors with field, line and column', async () => {
    const broken = await t.call('POST', '/preview', { webhook: mqlWebhook('{\n"a": 1,\n"b": "{% iff %}"\n}') });
    expect(broken.status).toBe(200);
    expect(broken.json.errors).toEqual([{ field: 'body', message: expect.stringContaining('iff'), line: 3, column: 7 }]);
  });

  it('renders for a stored profile and returns the variables it used', async () => {
    const track = await t.call('POST', '/users/track', { attributes: [{ external_id: 'lead-7', 'lead score': 120, email: 'a@example.com' }] });
    expect(track.status).toBe(201);
    const result = await t.call('POST', '/preview', { webhook: mqlWebhook(), external_id: 'lead-7' });
    expect(result.json.body).toContain('MQL');
    expect(result.json.url).toMatch(/\/Lead\/lead-7$/);
    expect(result.json.context).toMatchObject({ user_id: 'lead-7', email_address: 'a@example.com', custom_attribute: { 'lead score': 120 } });

    const overridden = await t.call('POST', '/preview', { webhook: mqlWebhook(), external_id: 'lead-7', attributes: { 'lead score': 3 } });
    expect(overridden.json.aborted?.reason).toBe('not at threshold');
    expect((await t.call('POST', '/preview', { webhook: mqlWebhook(), external_id: 'nobody' })).status).toBe(404);
  });

  it('refuses an invalid webhook or request with field paths', async () => {
    const badHeader = await t.call('POST', '/preview', { webhook: { ...mqlWebhook(), headers: { 'Bad Name': 'x' } } });
    expect(badHeader.status).toBe(400);
    expect(JSON.stringify(badHeader.json.errors)).toContain('webhook');
    const extra = await t.call('POST', '/preview', { webhook: mqlWebhook(), surprise: true });
    expect(extra.status).toBe(400);
    const badMode = await t.call('POST', '/preview', { webhook: mqlWebhook(), connected_content: 'sometimes' });
    expect(badMode.status).toBe(400);
    expect(JSON.stringify(badMode.json.errors)).toContain('connected_content');
  });

  describe('live connected_content', () => {
    let server: Server;
    let calls = 0;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        calls++;
        res.setHeader('content-type', 'application/json');
        res.end('{"access_token":"live-token-123","name":"from-live"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('calls out through the service engine, which honours the allowed hosts', async () => {
      const port = (server.address() as AddressInfo).port;
      const template = `{% connected_content http://127.0.0.1:${port}/token :save r %}{{ r.name }}`;
      const webhook = { ...mqlWebhook(), body: { type: 'raw', text: template } };
      const stub = await t.call('POST', '/preview', { webhook });
      expect(stub.json.body).toBe('');
      expect(stub.json.connected_content.map((c: { stubbed: boolean }) => c.stubbed)).toEqual([true, true]);
      expect(calls).toBe(0);
      const live = await t.call('POST', '/preview', { webhook, connected_content: 'live' });
      expect(live.json.errors).toEqual([]);
      expect(live.json.body).toBe('from-live');
      expect(live.json.connected_content.at(-1)).toMatchObject({ status_code: 200, stubbed: false });
      expect(calls).toBe(1);
    });
  });
});

describe('editor preview of a saved campaign with configuration placeholders', () => {
  const SECRET = 'client-secret-value-42';
  let service: RunningService;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(service.url + path, {
      method,
      headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as any };
  };
  beforeAll(async () => {
    const env = { SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com', SALESFORCE_CLIENT_ID: 'client-id-7', SALESFORCE_CLIENT_SECRET: SECRET };
    const config = loadConfig({ PORT: '0', LIQUIDHOOK_DB: ':memory:', LIQUIDHOOK_API_KEY: API_KEY, LIQUIDHOOK_TEMPLATES_DIR: join(ROOT, 'templates') });
    service = await startService(config, { logger: pino({ level: 'silent' }), env });
  });
  afterAll(async () => {
    await service?.close();
  });

  it('fills in the placeholders from the service environment, keeping the secret out of the answer', async () => {
    const saved = await call('GET', '/campaigns/file:salesforce-mql-handoff');
    const webhook = saved.json.webhook;
    expect(webhook.url).toContain('YOUR_SALESFORCE_INSTANCE');
    const context = { user_id: '00Q1', custom_attribute: { 'lead score': 150 } };
    const asWritten = await call('POST', '/preview', { webhook, context });
    expect(asWritten.json.url).toMatch(/your_salesforce_instance/i);
    const filled = await call('POST', '/preview', { webhook, context, campaign_id: 'file:salesforce-mql-handoff' });
    expect(filled.status).toBe(200);
    expect(filled.json.url).toBe('https://acme.my.salesforce.com/services/data/v60.0/sobjects/Lead/00Q1');
    expect(filled.json.connected_content[0].url).toBe('https://acme.my.salesforce.com/services/oauth2/token');
    expect(filled.text).not.toContain(SECRET);
    // Unknown campaigns change nothing.
    expect((await call('POST', '/preview', { webhook, context, campaign_id: 'cmp_unknown' })).json.url).toMatch(/your_salesforce_instance/i);
  });
});

// message_extras through the service: previews and test sends show the pairs a send would
// record (snake_case message_extras).
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { startServer, type LoopbackServer } from '../dispatch/loopback.js';
import { apiClient, tempDb, type Api } from '../e2e/helpers.js';

const BODY = [
  '{% if custom_attribute.${plan} == "none" %}{% message_extras :key plan :value none %}{% abort_message("no plan") %}{% endif %}',
  '{% message_extras :key plan :value {{ custom_attribute.${plan} }} %}',
  '{% message_extras :key "source" :value "scoring" %}',
  '{"id": "{{ ${user_id} }}"}',
].join('\n');

function campaign(sink: LoopbackServer): Record<string, unknown> {
  return {
    name: 'Plan change with extras',
    trigger: { type: 'custom_attribute_changed', attribute: 'plan' },
    webhook: {
      url: `${sink.origin}/hook`,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Campaign': 'plans{% message_extras :key channel :value webhook %}' },
      body: { type: 'raw', text: BODY },
    },
  };
}

describe('message_extras in previews and test sends', () => {
  let sink: LoopbackServer;
  let service: RunningService;
  let api: Api;

  beforeAll(async () => {
    sink = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    service = await startService(
      loadConfig({
        PORT: '0',
        LIQUIDHOOK_DB: tempDb(),
        LIQUIDHOOK_API_KEY: 'e2e-test-key-0123456789',
        LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
        LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir',
        LIQUIDHOOK_POLL_MS: '100',
      }),
      { logger: pino({ level: 'silent' }), env: {} },
    );
    api = apiClient(service.url);
  });
  afterAll(async () => {
    await service?.close();
    await sink?.close();
  });

  it('a preview shows the pairs; an abort shows none', async () => {
    const { json: created } = await api.call('PUT', '/campaigns/extras-preview', { ...campaign(sink), enabled: false });
    const pro = await api.call('POST', `/campaigns/${created.id}/preview`, { attributes: { plan: 'pro' } });
    expect(pro.status).toBe(200);
    expect(pro.json.message_extras).toEqual({ channel: 'webhook', plan: 'pro', source: 'scoring' });
    expect(pro.json.headers['X-Campaign']).toBe('plans');
    expect(JSON.parse(pro.json.body)).toEqual({ id: 'preview-user' });
    const none = await api.call('POST', `/campaigns/${created.id}/preview`, { attributes: { plan: 'none' } });
    expect(none.json).toMatchObject({ aborted: { reason: 'no plan' }, message_extras: {} });

    const editor = await api.call('POST', '/preview', { webhook: campaign(sink).webhook, attributes: { plan: 'team' } });
    expect(editor.json.message_extras).toEqual({ channel: 'webhook', plan: 'team', source: 'scoring' });
    expect(sink.seen).toHaveLength(0);
  });

  it('a test send shows the pairs with the response', async () => {
    const { json: created } = await api.call('PUT', '/campaigns/extras-test-send', { ...campaign(sink), enabled: false });
    const res = await api.call('POST', `/campaigns/${created.id}/test-send`, { attributes: { plan: 'pro' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ sent: true, message_extras: { channel: 'webhook', plan: 'pro', source: 'scoring' }, result: { status_code: 200 } });
    const aborted = await api.call('POST', `/campaigns/${created.id}/test-send`, { attributes: { plan: 'none' } });
    expect(aborted.json).toMatchObject({ sent: false, message_extras: {} });
  });

  it('the OpenAPI document describes message_extras on previews and test sends', async () => {
    const doc = (await api.call('GET', '/openapi.json')).json;
    const text = JSON.stringify(doc);
    const preview = doc.paths['/campaigns/{id}/preview'].post.responses['200'].content['application/json'].schema;
    const testSend = doc.paths['/campaigns/{id}/test-send'].post.responses['200'].content['application/json'].schema;
    expect(preview.properties.message_extras).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    expect(testSend.properties.message_extras).toMatchObject({ type: 'object' });
    expect(text).toContain('message_extras tags');
  });
});

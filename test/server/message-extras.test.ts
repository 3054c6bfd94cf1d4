// message_extras through the service: previews and test sends show the pairs a send would
// record; a send records them in the delivery log and the export stream, an abort records none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../src/server/service.js';
import { startServer, type LoopbackServer } from '../dispatch/loopback.js';
import { startLoopbackService, waitFor, type Api } from '../e2e/helpers.js';

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

describe('message_extras through the service', () => {
  let sink: LoopbackServer;
  let service: RunningService;
  let api: Api;

  beforeAll(async () => {
    sink = await startServer((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    ({ service, api } = await startLoopbackService());
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

  it('a delivered send records the pairs in the delivery log and the export stream; an aborted render records none', async () => {
    const { json: created } = await api.call('PUT', '/campaigns/extras-live', campaign(sink));
    const track = await api.call('POST', '/users/track', {
      attributes: [
        { external_id: 'extras-pro', plan: 'pro' },
        { external_id: 'extras-none', plan: 'none' },
      ],
    });
    expect(track.status).toBe(201);
    const finished = (user: string, status: string) => async () => {
      const [d] = (await api.call('GET', `/deliveries?external_id=${user}&campaign_id=${created.id}`)).json.deliveries;
      return d?.status === status ? d : undefined;
    };
    const delivered = await waitFor('the delivered send', finished('extras-pro', 'delivered'));
    const pairs = { channel: 'webhook', plan: 'pro', source: 'scoring' };
    expect(delivered.message_extras).toEqual(pairs);
    expect(delivered.attempts_log.map((a: { message_extras: object }) => a.message_extras)).toEqual([pairs]);
    expect((await api.call('GET', `/deliveries/${delivered.id}`)).json.message_extras).toEqual(pairs);
    // Nothing of the tags reached the destination.
    const received = sink.seen.find((r) => r.body.includes('extras-pro'));
    expect(received?.headers['x-campaign']).toBe('plans');
    expect(received?.body.trim()).toBe('{"id": "extras-pro"}');

    const aborted = await waitFor('the aborted send', finished('extras-none', 'aborted'));
    expect(aborted).toMatchObject({ abort_reason: 'no plan', message_extras: {}, attempts_log: [] });

    const stream = await api.call('GET', '/export/events?since=0&limit=10000');
    const events = stream.text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const sent = events.filter((e) => e.type === 'webhook_sent' && e.delivery_id === delivered.id);
    expect(sent.map((e) => e.data)).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, message_extras: pairs })]);
    expect(events.filter((e) => e.delivery_id === aborted.id).map((e) => e.type)).toEqual(['webhook_enqueued', 'webhook_aborted']);
  });

  it('the OpenAPI document describes message_extras on previews, test sends and deliveries', async () => {
    const doc = (await api.call('GET', '/openapi.json')).json;
    const text = JSON.stringify(doc);
    const preview = doc.paths['/campaigns/{id}/preview'].post.responses['200'].content['application/json'].schema;
    const testSend = doc.paths['/campaigns/{id}/test-send'].post.responses['200'].content['application/json'].schema;
    expect(preview.properties.message_extras).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    expect(testSend.properties.message_extras).toMatchObject({ type: 'object' });
    const delivery = doc.paths['/deliveries/{id}'].get.responses['200'].content['application/json'].schema;
    expect(delivery.properties.message_extras).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    expect(delivery.properties.attempts_log.items.properties.message_extras).toMatchObject({ type: 'object' });
    expect(text).toContain('message_extras tags');
  });
});

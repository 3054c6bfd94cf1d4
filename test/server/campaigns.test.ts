// Campaign API over a real socket: CRUD with validation, preview, test-send, replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import type { RunningService } from '../../src/server/service.js';
import { guideCampaign, startLoopbackService, waitFor, type Api } from '../e2e/helpers.js';

describe('campaign API', () => {
  let fake: FakeSalesforce;
  let service: RunningService;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeSalesforce();
    ({ service, api } = await startLoopbackService());
  });
  afterAll(async () => {
    await service?.close();
    await fake?.close();
  });

  it('creates, reads, replaces and deletes a campaign', async () => {
    const created = await api.call('POST', '/campaigns', guideCampaign(fake));
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ name: 'Salesforce > Update lead to MQL', enabled: true, ready: true });

    expect((await api.call('GET', `/campaigns/${id}`)).json.webhook.method).toBe('PATCH');
    const replaced = await api.call('PUT', `/campaigns/${id}`, { ...guideCampaign(fake), enabled: false });
    expect(replaced.status).toBe(200);
    expect(replaced.json.enabled).toBe(false);

    expect((await api.call('DELETE', `/campaigns/${id}`)).status).toBe(204);
    expect((await api.call('GET', `/campaigns/${id}`)).status).toBe(404);
    expect((await api.call('DELETE', `/campaigns/${id}`)).status).toBe(404);
  });

  it('PUT creates a campaign under a chosen id', async () => {
    const res = await api.call('PUT', '/campaigns/my-mql', guideCampaign(fake));
    expect(res.status).toBe(201);
    expect(res.json.id).toBe('my-mql');
    await api.call('DELETE', '/campaigns/my-mql');
  });

  it('refuses a template that does not parse: 400 with the field, line and column, nothing saved', async () => {
    const base = guideCampaign(fake) as Record<string, unknown> & { webhook: Record<string, unknown> };
    const body = await api.call('POST', '/campaigns', { ...base, webhook: { ...base.webhook, body: { type: 'raw', text: 'Hi\n{% if ${first_name} %}unterminated' } } });
    expect(body.status).toBe(400);
    expect(body.json.errors).toEqual([
      { path: 'webhook.body.text', message: '{% if ${first_name} %} is not closed with {% endif %} (line 2, column 1)', line: 2, column: 1 },
    ]);
    const url = await api.call('PUT', '/campaigns/broken-url', { ...base, webhook: { ...base.webhook, url: 'https://example.com/{{ x' } });
    expect(url.status).toBe(400);
    expect(url.json.errors).toEqual([{ path: 'webhook.url', message: 'output "{{ x" is not closed with "}}" (line 1, column 21)', line: 1, column: 21 }]);
    const header = await api.call('POST', '/campaigns', { ...base, webhook: { ...base.webhook, headers: { 'X-Score': '{% if x > 1 }' } } });
    expect(header.json.errors).toEqual([
      { path: 'webhook.headers["X-Score"]', message: 'tag "{% if x > 1 }" is not closed with "%}" (line 1, column 1)', line: 1, column: 1 },
    ]);
    expect((await api.call('GET', '/campaigns/broken-url')).status).toBe(404);
    const saved = (await api.call('GET', '/campaigns')).json.campaigns as { webhook: { url: string; headers: object } }[];
    expect(saved.filter((c) => c.webhook.url.includes('example.com') || 'X-Score' in c.webhook.headers)).toEqual([]);
  });

  it('rejects an invalid campaign with field paths', async () => {
    const bad = { ...guideCampaign(fake), trigger: { type: 'custom_attribute_changed' } };
    (bad.webhook as { method: string }).method = 'FETCH';
    const res = await api.call('POST', '/campaigns', bad);
    expect(res.status).toBe(400);
    const paths = (res.json.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toContain('trigger.attribute');
    expect(paths).toContain('webhook.method');
  });

  it('refuses a regex audience the linear-time engine cannot run, naming the field', async () => {
    const bad = { ...guideCampaign(fake), audience: [{ attribute: 'email', operator: 'matches_regex', value: '^(\\w+)@\\1\\.com$' }] };
    const res = await api.call('POST', '/campaigns', bad);
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ path: 'audience[0].value', message: expect.stringMatching(/RE2 syntax.*invalid escape sequence/) }]);
  });

  it('previews with a stubbed token and redacts the Authorization header', async () => {
    const { json: campaign } = await api.call('POST', '/campaigns', guideCampaign(fake));
    const high = await api.call('POST', `/campaigns/${campaign.id}/preview`, { attributes: { 'lead score': 150 } });
    expect(high.status).toBe(200);
    expect(JSON.parse(high.json.body)).toEqual({ lead_status: 'MQL' });
    expect(high.json.headers.Authorization).toBe('Bearer [REDACTED]');
    expect(high.json.url).toBe(`${fake.url}/services/data/v60.0/sobjects/Lead/preview-user`);
    const low = await api.call('POST', `/campaigns/${campaign.id}/preview`, { attributes: { 'lead score': 10 } });
    expect(low.json.aborted).toEqual({ reason: 'not at threshold' });
    expect(fake.requests).toHaveLength(0);

    const noRecipient = await api.call('POST', `/campaigns/${campaign.id}/preview`, {});
    expect(noRecipient.status).toBe(400);
    await api.call('DELETE', `/campaigns/${campaign.id}`);
  });

  it('test-sends one real request for a stored profile and shows the response', async () => {
    const { json: campaign } = await api.call('PUT', '/campaigns/test-send', { ...guideCampaign(fake), enabled: false });
    await api.call('POST', '/users/track', { attributes: [{ external_id: 'ts-lead', 'lead score': 120 }] });
    const res = await api.call('POST', `/campaigns/${campaign.id}/test-send`, { external_id: 'ts-lead' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ sent: true, result: { ok: true, status_code: 204 } });
    expect(res.json.result.request.headers.Authorization).toContain('[REDACTED]');
    expect(JSON.stringify(res.json)).not.toContain(fake.clientSecret);
    expect(JSON.stringify(res.json)).not.toContain(fake.tokens.at(-1));
    const patch = fake.leadPatches().find((r) => r.path.endsWith('/Lead/ts-lead'));
    expect(patch?.headers.authorization).toBe(`Bearer ${fake.tokens.at(-1)}`);

    const low = await api.call('POST', `/campaigns/${campaign.id}/test-send`, { attributes: { 'lead score': 3 } });
    expect(low.json).toMatchObject({ sent: false, aborted: { reason: 'not at threshold' } });

    const unknown = await api.call('POST', `/campaigns/${campaign.id}/test-send`, { external_id: 'nobody' });
    expect(unknown.status).toBe(404);
    await api.call('DELETE', `/campaigns/${campaign.id}`);
  });

  it('replays a delivered delivery only when forced, under the same idempotency key, counting its attempts', async () => {
    const { json: campaign } = await api.call('PUT', '/campaigns/replay', guideCampaign(fake));
    await api.call('POST', '/users/track', { attributes: [{ external_id: 'rp-lead', 'lead score': 300 }] });
    const delivered = (attempts: number) => async () => {
      const [d] = (await api.call('GET', '/deliveries?external_id=rp-lead')).json.deliveries;
      return d?.status === 'delivered' && d.attempts === attempts ? d : undefined;
    };
    const delivery = await waitFor('delivered', delivered(1));
    const refused = await api.call('POST', `/deliveries/${delivery.id}/replay`);
    expect(refused.status).toBe(409);
    expect(refused.json.message).toContain('{"force": true}');
    expect((await api.call('POST', `/deliveries/${delivery.id}/replay`, { force: false })).status).toBe(409);
    expect((await api.call('POST', `/deliveries/${delivery.id}/replay`, { forse: true })).status).toBe(400);
    const replay = await api.call('POST', `/deliveries/${delivery.id}/replay`, { force: true });
    expect(replay.status).toBe(202);
    expect(replay.json).toMatchObject({ status: 'queued', attempts: 1, first_attempt_at: null });
    const again = await waitFor('the repeat', delivered(2));
    expect(again.attempts_log.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2]);
    const keys = fake.leadPatches().filter((r) => r.path.endsWith('/Lead/rp-lead')).map((r) => r.idempotencyKey);
    expect(keys).toEqual([delivery.idempotency_key, delivery.idempotency_key]);
    expect((await api.call('POST', '/deliveries/nope/replay')).status).toBe(404);
    expect((await api.call('GET', '/deliveries/nope')).status).toBe(404);
    await api.call('DELETE', `/campaigns/${campaign.id}`);
  });

  it('replays an aborted delivery against the profile as it is now', async () => {
    const { json: campaign } = await api.call('PUT', '/campaigns/replay-aborted', guideCampaign(fake));
    await api.call('POST', '/users/track', { attributes: [{ external_id: 'rp-low', 'lead score': 40 }] });
    const latest = (status: string) => async () => {
      const [d] = (await api.call('GET', '/deliveries?external_id=rp-low')).json.deliveries;
      return d?.status === status ? d : undefined;
    };
    const aborted = await waitFor('aborted', latest('aborted'));
    expect(aborted.abort_reason).toBe('not at threshold');
    // The log's connected_content calls read as in a preview: snake_case.
    expect(Object.keys(aborted.request.connected_content[0]).sort()).toEqual(['attempts', 'cached', 'duration_ms', 'error', 'method', 'save_as', 'status_code', 'stubbed', 'url']);
    expect(aborted.request.connected_content[0]).toMatchObject({ method: 'POST', save_as: 'result', status_code: 200 });
    // The score rises without triggering the campaign (written straight to the store).
    await service.store.applyTrack({ attributes: [{ externalId: 'rp-low', ops: { 'lead score': { op: 'set', value: 250 } } }], events: [], purchases: [] }, { campaigns: [], programs: [] });
    const replay = await api.call('POST', `/deliveries/${aborted.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.json).toMatchObject({ id: aborted.id, status: 'queued', abort_reason: null });
    const sent = await waitFor('delivered', latest('delivered'));
    expect(sent).toMatchObject({ id: aborted.id, attempts: 1, abort_reason: null });
    expect(fake.leadPatches().filter((r) => r.path.endsWith('/Lead/rp-low'))).toHaveLength(1);
    await api.call('DELETE', `/campaigns/${campaign.id}`);
  });

  it('pages the delivery log, offering an older page only when there is one', async () => {
    const all = (await api.call('GET', '/deliveries?limit=1000')).json;
    const n = all.deliveries.length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(all.next_before).toBeUndefined();
    expect((await api.call('GET', `/deliveries?limit=${n}`)).json.next_before).toBeUndefined();
    const first = (await api.call('GET', `/deliveries?limit=${n - 1}`)).json;
    expect(first.deliveries).toHaveLength(n - 1);
    expect(first.next_before).toBe(first.deliveries.at(-1).id);
    const rest = (await api.call('GET', `/deliveries?limit=${n - 1}&before=${first.next_before}`)).json;
    expect([...first.deliveries, ...rest.deliveries].map((d: { id: string }) => d.id)).toEqual(all.deliveries.map((d: { id: string }) => d.id));
    expect(rest.next_before).toBeUndefined();
  });

  it('validates delivery list filters', async () => {
    const res = await api.call('GET', '/deliveries?status=lost');
    expect(res.status).toBe(400);
    expect(res.json.errors[0].path).toBe('status');
  });
});

// The guide's Salesforce hand-off end to end: real service, real sockets, loopback fake Salesforce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import type { RunningService } from '../../src/server/service.js';
import { apiClient, guideCampaign, startLoopbackService, waitFor, type Api } from './helpers.js';

const RENDERED_BODY = '\n\n{\n"lead_status": "MQL"\n}\n';

describe('Salesforce MQL hand-off (in-process service)', () => {
  let fake: FakeSalesforce;
  let service: RunningService;
  let api: Api;
  let campaignId: string;

  beforeAll(async () => {
    fake = await startFakeSalesforce();
    ({ service, api } = await startLoopbackService());
    const created = await api.call('POST', '/campaigns', guideCampaign(fake));
    expect(created.status).toBe(201);
    campaignId = created.json.id;
  });

  afterAll(async () => {
    await service?.close();
    await fake?.close();
  });

  const deliveriesOf = async (externalId: string) =>
    (await api.call('GET', `/deliveries?external_id=${encodeURIComponent(externalId)}`)).json.deliveries as any[];
  const finished = (externalId: string) =>
    waitFor(`a finished delivery for ${externalId}`, async () => {
      const list = await deliveriesOf(externalId);
      return list.length > 0 && list.every((d) => !['queued', 'sending'].includes(d.status)) ? list : undefined;
    });

  it('score 150 sends exactly one PATCH with the OAuth token and the MQL body', async () => {
    const track = await api.call('POST', '/users/track', { attributes: [{ external_id: 'lead-150', 'lead score': 150 }] });
    expect(track.status).toBe(201);
    expect(track.json).toEqual({ message: 'success', attributes_processed: 1 });

    const [delivery] = await finished('lead-150');
    expect(delivery.status).toBe('delivered');
    const patches = fake.leadPatches().filter((r) => r.path.endsWith('/Lead/lead-150'));
    expect(patches).toHaveLength(1);
    const patch = patches[0]!;
    expect(patch.headers.authorization).toBe(`Bearer ${fake.tokens.at(-1)}`);
    expect(patch.headers['content-type']).toBe('application/json');
    expect(JSON.parse(patch.body)).toEqual({ lead_status: 'MQL' });
    expect(patch.body).toBe(RENDERED_BODY);
    expect(patch.idempotencyKey).toBe(delivery.idempotency_key);
    expect(fake.leads.get('lead-150')).toEqual({ lead_status: 'MQL' });
    // The token request carried the filled-in client credentials.
    const tokenCall = fake.requests.find((r) => r.path === '/services/oauth2/token');
    expect(new URLSearchParams(tokenCall!.body).get('client_secret')).toBe(fake.clientSecret);
    // The delivery log never shows the token or the secret.
    const logged = JSON.stringify(await api.call('GET', `/deliveries/${delivery.id}`));
    expect(logged).not.toContain(fake.tokens.at(-1));
    expect(logged).not.toContain(fake.clientSecret);
  });

  it('marks the lead as MQL after delivery so later score changes do not send again', async () => {
    const profile = await waitFor('lead_status MQL', async () => {
      const res = await api.call('GET', '/users/lead-150');
      return res.json?.attributes?.lead_status === 'MQL' ? res.json : undefined;
    });
    expect(profile.attributes['lead score']).toBe(150);
    await api.call('POST', '/users/track', { attributes: [{ external_id: 'lead-150', 'lead score': { inc: 20 } }] });
    expect(await deliveriesOf('lead-150')).toHaveLength(1);
    expect(fake.leadPatches().filter((r) => r.path.endsWith('/Lead/lead-150'))).toHaveLength(1);
  });

  it('score 50 sends nothing and records the abort reason', async () => {
    await api.call('POST', '/users/track', { attributes: [{ external_id: 'lead-50', 'lead score': 50 }] });
    const [delivery] = await finished('lead-50');
    expect(delivery.status).toBe('aborted');
    expect(delivery.abort_reason).toBe('not at threshold');
    expect(delivery.attempts_log).toEqual([]);
    expect(fake.leadPatches().filter((r) => r.path.endsWith('/Lead/lead-50'))).toHaveLength(0);
  });

  it('does not send to a user who already is an MQL', async () => {
    await api.call('POST', '/users/track', { attributes: [{ external_id: 'lead-mql', lead_status: 'MQL' }] });
    const res = await api.call('POST', '/users/track', { attributes: [{ external_id: 'lead-mql', 'lead score': 180 }] });
    expect(res.status).toBe(201);
    expect(await deliveriesOf('lead-mql')).toEqual([]);
    expect(fake.leadPatches().filter((r) => r.path.endsWith('/Lead/lead-mql'))).toHaveLength(0);
  });

  it('rejects a request without the API key with 401', async () => {
    const res = await apiClient(service.url, null).call('POST', '/users/track', { attributes: [{ external_id: 'x', 'lead score': 500 }] });
    expect(res.status).toBe(401);
    expect(await deliveriesOf('x')).toEqual([]);
  });

  it('rejects an invalid batch with 400 and the field path, applying nothing', async () => {
    const res = await api.call('POST', '/users/track', {
      attributes: [{ external_id: 'ok-user', 'lead score': 150 }, { 'lead score': 150 }],
    });
    expect(res.status).toBe(400);
    expect(res.json.errors).toContainEqual(expect.objectContaining({ path: 'attributes[1].external_id' }));
    expect((await api.call('GET', '/users/ok-user')).status).toBe(404);
  });

  it('refuses the whole batch when a stored value does not allow an operation', async () => {
    await api.call('POST', '/users/track', { attributes: [{ external_id: 'typed', plan: 'gold' }] });
    const res = await api.call('POST', '/users/track', {
      attributes: [{ external_id: 'other', 'lead score': 150 }, { external_id: 'typed', plan: { inc: 1 } }],
    });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ path: 'attributes[1].plan', message: expect.stringContaining('cannot inc') }]);
    expect((await api.call('GET', '/users/other')).status).toBe(404);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await api.call('POST', '/users/track', '{"attributes": [');
    expect(res.status).toBe(400);
  });

  it('lists the campaign and its deliveries by campaign', async () => {
    const list = await api.call('GET', '/campaigns');
    expect(list.json.campaigns.map((c: { id: string }) => c.id)).toContain(campaignId);
    const byCampaign = await api.call('GET', `/deliveries?campaign_id=${campaignId}&status=delivered`);
    expect(byCampaign.json.deliveries.map((d: { external_id: string }) => d.external_id)).toEqual(['lead-150']);
  });
});

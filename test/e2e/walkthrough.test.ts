// The README's walkthrough as `npm start` runs it: the repository's templates/ folder, placeholders
// from the environment. The guide's campaigns and the lead-scoring program are there on first
// start, a score set through /users/track hands the lead off, and so does a score earned by events.
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { API_KEY, ROOT, apiClient, tempDb, waitFor, type Api } from './helpers.js';

describe('the README walkthrough on the shipped templates/', () => {
  let fake: FakeSalesforce;
  let service: RunningService;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeSalesforce();
    const env = { SALESFORCE_INSTANCE_URL: fake.url, SALESFORCE_CLIENT_ID: fake.clientId, SALESFORCE_CLIENT_SECRET: fake.clientSecret };
    const config = loadConfig({
      PORT: '0',
      LIQUIDHOOK_DB: tempDb(),
      LIQUIDHOOK_API_KEY: API_KEY,
      LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
      LIQUIDHOOK_TEMPLATES_DIR: join(ROOT, 'templates'),
      LIQUIDHOOK_POLL_MS: '100',
    });
    service = await startService(config, { logger: pino({ level: 'silent' }), env });
    api = apiClient(service.url);
  });
  afterAll(async () => {
    await service?.close();
    await fake?.close();
  });

  const patchesFor = (id: string) => fake.leadPatches().filter((r) => r.path.endsWith(`/Lead/${id}`));

  it('starts with the guide campaigns and the lead-scoring program (the scoring page is not empty)', async () => {
    const campaigns = (await api.call('GET', '/campaigns')).json.campaigns.map((c: { id: string; ready: boolean }) => [c.id, c.ready]);
    expect(campaigns).toEqual(expect.arrayContaining([['file:salesforce-mql-handoff', true], ['file:salesforce-create-lead', true]]));
    const programs = (await api.call('GET', '/scoring-programs')).json.scoring_programs;
    expect(programs).toEqual([expect.objectContaining({ id: 'file:lead-scoring', name: 'Lead scoring', attribute: 'lead score', enabled: true })]);
  });

  it('step 4: a score of 150 sends the PATCH, 50 aborts', async () => {
    const track = await api.call('POST', '/users/track', { attributes: [{ external_id: '00Q5e000001', first_name: 'Ada', 'lead score': 150 }, { external_id: '00Q5e000002', 'lead score': 50 }] });
    expect(track.status).toBe(201);
    await waitFor('the PATCH', () => (patchesFor('00Q5e000001').length === 1 ? true : undefined));
    const aborted = await waitFor('the abort', async () => {
      const [d] = (await api.call('GET', '/deliveries?external_id=00Q5e000002')).json.deliveries;
      return d?.status === 'aborted' ? d : undefined;
    });
    expect(aborted.abort_reason).toBe('not at threshold');
  });

  it('scoring: a lead that enters the program and requests four demos (4 × 30 points) is handed off', async () => {
    const now = new Date().toISOString();
    const demo = { external_id: '00Q5e000003', name: 'demo_requested', time: now };
    const track = await api.call('POST', '/users/track', {
      attributes: [{ external_id: '00Q5e000003', email: 'grace@example.com' }],
      events: [demo, demo, demo, demo],
    });
    expect(track.status).toBe(201);
    await waitFor('the PATCH of the scored lead', () => (patchesFor('00Q5e000003').length === 1 ? true : undefined));
    // After delivery the campaign marks the lead (on_delivered_update).
    const profile = await waitFor('lead_status MQL', async () => {
      const { attributes } = (await api.call('GET', '/users/00Q5e000003')).json;
      return attributes.lead_status === 'MQL' ? attributes : undefined;
    });
    expect(profile['lead score']).toBe(120);
    // The e-mail address also ran the guide's other campaign: the Lead was created.
    expect(fake.requests.some((r) => r.method === 'POST' && /\/sobjects\/Lead\/?$/.test(r.path))).toBe(true);
  });
});

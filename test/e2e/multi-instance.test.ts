// Two service instances on one PostgreSQL database (here: two services in one test process): a
// campaign made through one is used by the other at once, and later changes reach it within the
// catalog refresh interval. (An SQLite file is served by one process: see sqlite-owner.test.ts.)
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { API_KEY, apiClient, guideCampaign, waitFor, type Api } from './helpers.js';

describe.skipIf(!postgresAvailable('two instances on one database'))('two instances on one database', () => {
  let cluster: PostgresCluster;
  let fake: FakeSalesforce;
  let first: RunningService;
  let second: RunningService;
  let a: Api;
  let b: Api;

  beforeAll(async () => {
    fake = await startFakeSalesforce();
    cluster = await startPostgres();
    const config = loadConfig({
      PORT: '0',
      LIQUIDHOOK_DATABASE_URL: cluster.url,
      LIQUIDHOOK_DATABASE_POOL_SIZE: '3',
      LIQUIDHOOK_API_KEY: API_KEY,
      LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
      LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir',
      LIQUIDHOOK_POLL_MS: '100',
      LIQUIDHOOK_CATALOG_REFRESH_MS: '100',
    });
    first = await startService(config, { logger: pino({ level: 'silent' }), env: {} });
    second = await startService(config, { logger: pino({ level: 'silent' }), env: {} });
    a = apiClient(first.url);
    b = apiClient(second.url);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await fake?.close();
    await cluster?.stop();
  });

  const patchesFor = (lead: string) => fake.leadPatches().filter((r) => r.path.endsWith(`/Lead/${lead}`));

  it('uses a campaign made on the other instance at once, and sends exactly once', async () => {
    const created = await a.call('PUT', '/campaigns/shared', guideCampaign(fake));
    expect(created.status).toBe(201);
    expect((await b.call('GET', '/campaigns/shared')).status).toBe(200);
    expect((await b.call('POST', '/users/track', { attributes: [{ external_id: 'mi-1', 'lead score': 150 }] })).status).toBe(201);
    const delivery = await waitFor('the delivery', async () => {
      const [d] = (await a.call('GET', '/deliveries?external_id=mi-1')).json.deliveries;
      return d?.status === 'delivered' ? d : undefined;
    });
    expect(delivery.campaign_id).toBe('shared');
    expect(patchesFor('mi-1')).toHaveLength(1);
  });

  it('sees a change made on the other instance within the refresh interval', async () => {
    expect((await a.call('PUT', '/campaigns/shared', { ...guideCampaign(fake), enabled: false })).status).toBe(200);
    await waitFor('the other instance to see the change', async () => ((await b.call('GET', '/campaigns/shared')).json.enabled === false ? true : undefined), 5000);
    expect((await b.call('POST', '/users/track', { attributes: [{ external_id: 'mi-2', 'lead score': 150 }] })).status).toBe(201);
    expect((await b.call('GET', '/deliveries?external_id=mi-2')).json.deliveries).toEqual([]);
  });

  it('drops a campaign deleted on the other instance', async () => {
    expect((await b.call('DELETE', '/campaigns/shared')).status).toBe(204);
    await waitFor('the delete to reach the first instance', async () => ((await a.call('GET', '/campaigns/shared')).status === 404 ? true : undefined), 5000);
    expect((await a.call('GET', '/campaigns')).json.campaigns.map((c: { id: string }) => c.id)).not.toContain('shared');
  });
});

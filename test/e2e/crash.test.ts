// Crash safety: 1,000 triggered sends, SIGKILL mid-way, restart on the same database. Every send
// arrives; a repeat (a send in flight at the kill) carries the same Idempotency-Key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { API_KEY, apiClient, guideCampaign, spawnService, tempDb, waitFor, type ChildService } from './helpers.js';

const USERS = 1000;
const PER_REQUEST = 75; // Braze's /users/track limit per kind

describe('kill -9 mid-delivery', () => {
  let fake: FakeSalesforce;
  let service: ChildService | undefined;
  const db = tempDb();
  const env = {
    LIQUIDHOOK_DB: db,
    LIQUIDHOOK_API_KEY: API_KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir',
    LIQUIDHOOK_POLL_MS: '100',
    // Short lease so the restarted process reclaims the dead one's claims quickly.
    LIQUIDHOOK_LEASE_MS: '3000',
    LIQUIDHOOK_WEBHOOK_TIMEOUT_MS: '2000',
    LIQUIDHOOK_WORKER_CONCURRENCY: '32',
    LIQUIDHOOK_WORKER_BATCH: '50',
    LOG_LEVEL: 'info',
  };

  beforeAll(async () => {
    // A little latency per Lead request keeps many sends in flight when the kill lands.
    fake = await startFakeSalesforce({ leadDelayMs: 50 });
  });
  afterAll(async () => {
    if (service && service.child.exitCode === null) await service.kill9();
    await fake?.close();
  });

  it('delivers all 1,000 sends exactly once per idempotency key after a SIGKILL', async () => {
    service = await spawnService(env);
    let api = apiClient(service.url);
    const created = await api.call('POST', '/campaigns', guideCampaign(fake));
    expect(created.status).toBe(201);

    for (let start = 0; start < USERS; start += PER_REQUEST) {
      const attributes = Array.from({ length: Math.min(PER_REQUEST, USERS - start) }, (_, i) => ({
        external_id: `crash-${start + i}`,
        'lead score': 150,
      }));
      const res = await api.call('POST', '/users/track', { attributes });
      expect(res.status).toBe(201);
    }

    await waitFor('a third of the sends', () => (fake.leadPatches().length >= USERS / 3 ? true : undefined), 40_000);
    await service.kill9();
    const beforeRestart = fake.leadPatches().length;
    expect(beforeRestart).toBeLessThan(USERS);

    service = await spawnService(env);
    api = apiClient(service.url);
    const distinctKeys = () => new Set(fake.leadPatches().map((r) => r.idempotencyKey));
    await waitFor('every send to arrive', () => (distinctKeys().size >= USERS ? true : undefined), 40_000);
    const delivered = await waitFor('every delivery to be recorded', async () => {
      const res = await api.call('GET', '/deliveries?status=delivered&limit=1000');
      return res.json.deliveries.length === USERS ? (res.json.deliveries as { external_id: string; idempotency_key: string }[]) : undefined;
    }, 30_000).catch(async (error: Error) => {
      // Say where the missing ones are: the timeout alone does not tell a slow machine from a stuck delivery.
      const counts: Record<string, unknown> = {};
      for (const status of ['queued', 'sending', 'delivered', 'failed', 'dead', 'aborted']) {
        const res = await api.call('GET', `/deliveries?status=${status}&limit=1000`);
        counts[status] = res.json?.deliveries?.length ?? res.status;
      }
      throw new Error(`${error.message}: ${JSON.stringify(counts)}`);
    });

    const patches = fake.leadPatches();
    expect(distinctKeys().size).toBe(USERS);
    expect(fake.leads.size).toBe(USERS);
    // Repeats are only ever the same delivery again, under the same key.
    const keyOf = new Map(delivered.map((d) => [d.external_id, d.idempotency_key]));
    for (const patch of patches) {
      const lead = patch.path.split('/').at(-1)!;
      expect(patch.idempotencyKey).toBe(keyOf.get(lead));
    }
    for (const status of ['queued', 'sending', 'failed', 'dead', 'aborted']) {
      expect((await api.call('GET', `/deliveries?status=${status}`)).json.deliveries).toEqual([]);
    }
    console.info(`crash test: ${beforeRestart} PATCHes before the kill, ${patches.length} in total (${patches.length - USERS} repeats)`);
    expect(await service.stop()).toBe(0);
  }, 90_000);
});

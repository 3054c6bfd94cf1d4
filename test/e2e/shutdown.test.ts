// Graceful shutdown: intake closes first, a send already in flight is allowed to finish and its
// outcome is committed before the store closes.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { loadConfig } from '../../src/config/index.js';
import { startService } from '../../src/server/service.js';
import { openSqliteStore } from '../../src/store/index.js';
import { API_KEY, apiClient, guideCampaign, tempDb, waitFor } from './helpers.js';

describe('graceful shutdown', () => {
  let fake: FakeSalesforce | undefined;
  afterAll(async () => {
    await fake?.close();
  });

  it('finishes the send in flight, records it, then refuses new connections', async () => {
    fake = await startFakeSalesforce({ leadDelayMs: 400 });
    const db = tempDb();
    const service = await startService(
      loadConfig({
        PORT: '0',
        LIQUIDHOOK_DB: db,
        LIQUIDHOOK_API_KEY: API_KEY,
        LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
        LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir',
        LIQUIDHOOK_SHUTDOWN_GRACE_MS: '10000',
      }),
      { logger: pino({ level: 'silent' }), env: {} },
    );
    const api = apiClient(service.url);
    await api.call('POST', '/campaigns', guideCampaign(fake));
    await api.call('POST', '/users/track', { attributes: [{ external_id: 'slow-lead', 'lead score': 150 }] });
    // The token request is answered at once; the PATCH is held for 400 ms.
    await waitFor('the send to be in flight', () => (service.worker.stats().inFlight > 0 && fake!.tokens.length > 0 ? true : undefined));

    await service.close();
    expect(fake.leadPatches()).toHaveLength(1);
    await expect(fetch(`${service.url}/health`)).rejects.toThrow();

    const store = openSqliteStore({ path: db });
    try {
      const [delivery] = await store.listDeliveries({ externalId: 'slow-lead' });
      expect(delivery?.status).toBe('delivered');
    } finally {
      await store.close();
    }
  });
});

// The service's delivery pipeline (store, campaign catalog, send port, dispatcher, worker) wired
// in-process with settings the environment does not expose: the circuit breaker's open time
// and the retry backoff, shortened so a chaos run ends in seconds.
import { pino } from 'pino';
import { createDeliveryWorker, createSendPort, type DeliveryWorker } from '../../src/deliveries/index.js';
import { CampaignCatalog, createIntake } from '../../src/intake/index.js';
import { RetryPolicySchema, createDispatcher, type RetryPolicyInput, type WebhookDispatcher } from '../../src/dispatch/index.js';
import { TrackRequestSchema, toTrackBatch } from '../../src/ingest/index.js';
import { createLiquid } from '../../src/liquid/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { tempDb } from '../e2e/helpers.js';

export interface Pipeline {
  store: Store;
  catalog: CampaignCatalog;
  worker: DeliveryWorker;
  dispatcher: WebhookDispatcher;
  /** What POST /users/track does after validation. */
  track(body: unknown): Promise<number>;
  close(): Promise<void>;
}

export async function startPipeline(options: { timeoutMs: number; retry: RetryPolicyInput; breakerOpenMs: number }): Promise<Pipeline> {
  const logger = pino({ level: 'silent' });
  const store = await openStore({ driver: 'sqlite', path: tempDb() });
  await store.migrate();
  const catalog = new CampaignCatalog(store, logger, {});
  await catalog.load();
  const dispatcher = createDispatcher({
    allowedHosts: '127.0.0.1',
    timeoutMs: options.timeoutMs,
    maxConcurrencyPerHost: 32,
    breaker: { openDurationMs: options.breakerOpenMs },
  });
  const intake = createIntake({ store, campaigns: catalog });
  const worker = createDeliveryWorker(
    {
      store: intake.outbox,
      sender: createSendPort({ engine: createLiquid(), dispatcher, campaigns: catalog, signingSecrets: {} }),
      deliveredUpdate: (d) => catalog.deliveredUpdate(d.campaignId, d.externalId),
      retryPolicy: RetryPolicySchema.parse(options.retry),
      logger,
    },
    { owner: 'reliability', batchSize: 50, concurrency: 64, pollMs: 50, leaseMs: options.timeoutMs * 10 },
  );
  worker.start();
  intake.connectWorker(worker);
  return {
    store,
    catalog,
    worker,
    dispatcher,
    async track(body) {
      const { batch } = toTrackBatch(TrackRequestSchema.parse(body), new Date());
      const { deliveries } = await intake.track(batch);
      return deliveries.length;
    },
    async close() {
      await worker.stop(1000);
      await dispatcher.close();
      await store.close();
    },
  };
}

// The worker while the database is out of reach: outcomes it cannot record are kept and recorded
// once the database is back (nothing sent twice), and a send whose profile cannot be read waits
// for the database instead of failing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeliveryWorker, type DeliveryWorker, type WorkerPorts } from '../../src/deliveries/index.js';
import { RetryPolicySchema } from '../../src/dispatch/retry-policy.js';
import type { AttemptResult, WebhookRequest } from '../../src/dispatch/types.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { sendOnce } from '../store/contract-helpers.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
/** Campaign c1 sends on every change of the score. */
const everyScoreChange = sendOnce('c1', 'score');
const ok = (): AttemptResult => ({ ok: true, status: 204, headers: {}, responseBody: '', responseTruncated: false, latencyMs: 1, startedAt: Date.now() });

const running: { worker: DeliveryWorker; store: Store }[] = [];
afterEach(async () => {
  for (const { worker, store } of running.splice(0)) {
    await worker.stop(1000);
    await store.close();
  }
});

async function setup(): Promise<{ store: Store; worker: DeliveryWorker; sent: WebhookRequest[] }> {
  const store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lh-away-')), 'db.sqlite') });
  await store.applyTrack({ attributes: ['u1', 'u2'].map((externalId) => ({ externalId, ops: { score: { op: 'set', value: 1 } } })), events: [], purchases: [] }, everyScoreChange);
  const sent: WebhookRequest[] = [];
  const ports: WorkerPorts = {
    store,
    sender: {
      async send(delivery) {
        const request: WebhookRequest = { url: 'http://127.0.0.1:1/x', method: 'POST', body: '{}', idempotencyKey: delivery.idempotencyKey };
        sent.push(request);
        return { kind: 'attempted', log: {}, result: ok() };
      },
    },
    deliveredUpdate: () => undefined,
    retryPolicy: RetryPolicySchema.parse({}),
    logger: pino({ level: 'silent' }),
  };
  const worker = createDeliveryWorker(ports, { owner: 'w', batchSize: 10, concurrency: 4, pollMs: 50, leaseMs: 60_000 });
  running.push({ worker, store });
  return { store, worker, sent };
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('delivery worker while the database is away', () => {
  it('keeps outcomes it could not record and records them once the database is back, sending nothing twice', async () => {
    const { store, worker, sent } = await setup();
    const record = store.recordOutcomes.bind(store);
    let away = true;
    let refusedCommits = 0;
    store.recordOutcomes = async (...args) => {
      if (away) {
        refusedCommits++;
        throw refused();
      }
      return record(...args);
    };
    worker.start();
    await until(() => sent.length === 2 && refusedCommits >= 3);
    expect((await store.listDeliveries({})).map((d) => d.status)).toEqual(['sending', 'sending']);
    away = false;
    await worker.idle();
    expect((await store.listDeliveries({})).map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(sent).toHaveLength(2);
  });

  it('lets a send whose profile could not be read wait for the database, with no attempt counted', async () => {
    const { store, worker, sent } = await setup();
    const read = store.getProfiles.bind(store);
    let away = true;
    store.getProfiles = async (ids) => {
      if (away) {
        away = false;
        throw refused();
      }
      return read(ids);
    };
    worker.start();
    await until(async () => (await store.listDeliveries({ status: 'queued' })).filter((d) => d.lastError).length === 2);
    const waiting = (await store.listDeliveries({}))[0]!;
    expect(waiting).toMatchObject({ status: 'queued', attempts: 0 });
    expect(waiting.lastError).toMatch(/database unavailable, nothing sent/);
    expect(waiting.failureCode).toBe('database_unavailable');
    expect(sent).toEqual([]);
    await until(async () => (await store.listDeliveries({ status: 'delivered' })).length === 2);
    expect(sent).toHaveLength(2);
    expect((await store.getDelivery(waiting.id))!.attempts_log).toHaveLength(1);
  });
});

// The outbox's store work per send, without HTTP, on durable SQLite files (each commit fsynced
// before it is answered), CPU of the whole process (checkpoint thread included):
// - ingest: applyTrack of 75-user batches under rules that plan nothing (the profile work alone);
// - enqueue: the same batches under one campaign sending on every change, written leased to the
//   worker as the intake's hand-off does, minus the ingest figure;
// - outcome: recordOutcomes of those sends in rounds of 32, as the worker commits them;
// - claim: the backlog path (sends written queued, claimed in rounds of 32), reported beside.
// - floors: the same sends' data appended by SQLite alone, in three layouts (outbox-floors.ts).
// The goal is enqueue + outcome, the store's cost of a send on the path a send takes; the floors
// tell how much of it is the database's own price for that data on this machine.
//   npx tsx bench/outbox-store.ts [sends=10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_RULES, openSqliteStore, type ChangeRules, type NewDeliveryLease, type Store } from '../src/store/index.js';
import type { Delivery, DeliveryOutcome } from '../src/domain/index.js';
import { sendOnEveryChange } from './lib/rules.js';
import { measureOutboxFloor } from './outbox-floors.js';

const total = Number(process.argv[2] ?? 10_000);
const BATCH = 75;
const ROUND = 32;
const OWNER = 'w';
const rules = sendOnEveryChange('c1', 'score', { url: 'http://127.0.0.1:1/leads/x', method: 'PATCH' });
const request = { method: 'PATCH', url: 'http://127.0.0.1:1/leads/x', headers: { 'content-type': 'application/json' }, body: '{"score": 1, "email": "u@example.com"}' };

/** Process CPU in µs (all threads). */
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** CPU µs that `run` costs. */
async function cpuOf(run: () => Promise<void>): Promise<number> {
  const start = cpuNow();
  await run();
  return cpuNow() - start;
}

async function withStore<T>(use: (store: Store) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'lh-outbox-'));
  const store = openSqliteStore({ path: join(dir, 'outbox.db') });
  try {
    return await use(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Applies `total` changes in batches; returns the deliveries written. */
async function ingest(store: Store, changeRules: ChangeRules, leased: boolean): Promise<Delivery[]> {
  const written: Delivery[] = [];
  for (let i = 0; i < total; i += BATCH) {
    const size = Math.min(BATCH, total - i);
    const attributes = Array.from({ length: size }, (_, k) => ({ externalId: `u${i + k}`, ops: { score: { op: 'set' as const, value: i + k }, email: { op: 'set' as const, value: `u${k}@example.com` } } }));
    const lease: NewDeliveryLease | undefined = leased ? { owner: OWNER, leaseMs: 60_000, count: size } : undefined;
    const result = await store.applyTrack({ attributes, events: [], purchases: [] }, changeRules, { lease });
    written.push(...result.deliveries);
  }
  return written;
}

async function deliver(store: Store, deliveries: Delivery[]): Promise<void> {
  const at = new Date().toISOString();
  const outcomes: DeliveryOutcome[] = deliveries.map((d) => ({
    id: d.id,
    status: 'delivered',
    attempt: { deliveryId: d.id, attempt: 1, at, statusCode: 200, latencyMs: 2, responseBody: '{"ok":true}' },
    firstAttemptAt: at,
    request,
  }));
  await store.recordOutcomes(outcomes, new Date(), { owner: OWNER });
}

const ingestCpu = await withStore((store) => cpuOf(async () => void (await ingest(store, NO_RULES, false))));
const { trackCpu, outcomeCpu, sends } = await withStore(async (store) => {
  let sends: Delivery[] = [];
  const trackCpu = await cpuOf(async () => void (sends = await ingest(store, rules, true)));
  if (sends.length !== total || sends.some((d) => d.status !== 'sending')) throw new Error('every change should hand one send to the worker');
  const outcomeCpu = await cpuOf(async () => {
    for (let i = 0; i < sends.length; i += ROUND) await deliver(store, sends.slice(i, i + ROUND));
  });
  return { trackCpu, outcomeCpu, sends };
});
const claimCpu = await withStore(async (store) => {
  await ingest(store, rules, false);
  let cpu = 0;
  for (;;) {
    let claimed: Delivery[] = [];
    cpu += await cpuOf(async () => void (claimed = await store.claimDeliveries(OWNER, ROUND, new Date(), 60_000)));
    if (claimed.length === 0) return cpu;
    await deliver(store, claimed);
  }
});

const floors = (['rows', 'twoRows', 'twoRowsFolded'] as const).map((layout) => measureOutboxFloor(sends, request, layout));
const perSend = (cpu: number): string => (cpu / total).toFixed(0);
const enqueue = Math.max(0, trackCpu - ingestCpu);
const storeUs = (enqueue + outcomeCpu) / total;
console.log(
  `ingest ${perSend(ingestCpu)} µs/change; with a send ${perSend(trackCpu)}: enqueue ${perSend(enqueue)}, outcome ${perSend(outcomeCpu)}; backlog claim ${perSend(claimCpu)} (CPU per send)`,
);
console.log(`store CPU per send, enqueue + outcome: ${storeUs.toFixed(0)} µs (goal <= 25 µs on SQLite)`);
console.log(
  `SQLite alone, same data: ${floors[0]!.toFixed(0)} µs as rows without indexes (store ${(storeUs / floors[0]!).toFixed(1)}x); ` +
    `${floors[1]!.toFixed(0)} µs as two rows per send; ${floors[2]!.toFixed(0)} µs as two rows with the API's indexes folded in later`,
);

// The outbox's store work per send, without HTTP, on durable SQLite files (each commit fsynced
// before it is answered), CPU of the whole process (checkpoint thread included):
// - ingest: applyTrack of 75-user batches under rules that plan nothing (the profile work alone);
// - enqueue: the same batches under one campaign sending on every change, written leased to the
//   worker as the intake's hand-off does, minus the ingest figure;
// - outcome: recordOutcomes of those sends in rounds of 32, as the worker commits them;
// - claim: the backlog path (sends written queued, claimed in rounds of 32), reported beside.
// - floor: the same data a send persists (its row, its attempt with the request log, its three
//   webhook export events) appended to tables without any index, in commits of the same sizes.
// The goal is enqueue + outcome, the store's cost of a send on the path a send takes; the floor
// tells how much of it is the database's own price for those bytes on this machine.
//   npx tsx bench/outbox-store.ts [sends=10000]
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_RULES, openSqliteStore, type ChangeRules, type NewDeliveryLease, type Store } from '../src/store/index.js';
import type { Delivery, DeliveryOutcome } from '../src/domain/index.js';
import { sendOnEveryChange } from './lib/rules.js';

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

/** CPU µs of appending what `total` sends persist to index-free tables, as durably as the store. */
function appendFloor(sends: Delivery[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'lh-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE sends (seq INTEGER PRIMARY KEY, id TEXT, campaign_id TEXT, external_id TEXT, idempotency_key TEXT, trigger TEXT, at TEXT);
      CREATE TABLE attempts (seq INTEGER PRIMARY KEY, delivery_id TEXT, status TEXT, attempt TEXT, request TEXT, at TEXT);
      CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT, at TEXT, external_id TEXT, campaign_id TEXT, delivery_id TEXT, data TEXT)`);
    const send = db.prepare('INSERT INTO sends (id, campaign_id, external_id, idempotency_key, trigger, at) VALUES (?, ?, ?, ?, ?, ?)');
    const attempt = db.prepare('INSERT INTO attempts (delivery_id, status, attempt, request, at) VALUES (?, ?, ?, ?, ?)');
    const event = db.prepare('INSERT INTO events (type, at, external_id, campaign_id, delivery_id, data) VALUES (?, ?, ?, ?, ?, ?)');
    const put = (type: string, d: Delivery, at: string, data: object): unknown => event.run(type, at, d.externalId, d.campaignId, d.id, JSON.stringify(data));
    const start = cpuNow();
    for (let i = 0; i < sends.length; i += BATCH) {
      db.transaction(() => {
        const at = new Date().toISOString();
        for (const d of sends.slice(i, i + BATCH)) {
          send.run(d.id, d.campaignId, d.externalId, d.idempotencyKey, JSON.stringify(d.trigger), at);
          put('webhook_enqueued', d, at, { trigger: d.trigger });
        }
      })();
    }
    for (let i = 0; i < sends.length; i += ROUND) {
      db.transaction(() => {
        const at = new Date().toISOString();
        for (const d of sends.slice(i, i + ROUND)) {
          attempt.run(d.id, 'delivered', JSON.stringify({ attempt: 1, status_code: 200, latency_ms: 2, response_body: '{"ok":true}' }), JSON.stringify(request), at);
          put('webhook_sent', d, at, { attempt: 1, latency_ms: 2, status_code: 200, message_extras: {} });
          put('webhook_delivered', d, at, { status: 'delivered', status_code: 200 });
        }
      })();
    }
    return cpuNow() - start;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ingestCpu = await withStore((store) => cpuOf(async () => void (await ingest(store, NO_RULES, false))));
const { trackCpu, outcomeCpu, floorCpu } = await withStore(async (store) => {
  let sends: Delivery[] = [];
  const trackCpu = await cpuOf(async () => void (sends = await ingest(store, rules, true)));
  if (sends.length !== total || sends.some((d) => d.status !== 'sending')) throw new Error('every change should hand one send to the worker');
  const outcomeCpu = await cpuOf(async () => {
    for (let i = 0; i < sends.length; i += ROUND) await deliver(store, sends.slice(i, i + ROUND));
  });
  return { trackCpu, outcomeCpu, floorCpu: appendFloor(sends) };
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

const perSend = (cpu: number): string => (cpu / total).toFixed(0);
const enqueue = Math.max(0, trackCpu - ingestCpu);
console.log(
  `ingest ${perSend(ingestCpu)} µs/change; with a send ${perSend(trackCpu)}: enqueue ${perSend(enqueue)}, outcome ${perSend(outcomeCpu)}; backlog claim ${perSend(claimCpu)} (CPU per send)`,
);
console.log(
  `store CPU per send, enqueue + outcome: ${perSend(enqueue + outcomeCpu)} µs (goal <= 25 µs on SQLite); the same data appended without indexes: ${perSend(floorCpu)} µs (${((enqueue + outcomeCpu) / floorCpu).toFixed(1)}x)`,
);

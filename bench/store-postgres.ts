// PostgreSQL store throughput on a throwaway local cluster: enqueue (applyTrack with sends),
// claims per second with one row per claim vs batches of 50, applyTrack users per second (plain,
// with sends, with a scoring program) and due memberships applied per second by two instances.
// Usage: npx tsx bench/store-postgres.ts [deliveries=20000] [concurrency=8] [--fsync=off]
// fsync stays on by default: commit latency is part of what a claim costs in production.
import type { TrackBatch } from '../src/domain/index.js';
import { parseScoringProgram } from '../src/scoring/index.js';
import { type ChangeRules, NO_RULES, openPostgresStore, type PostgresStore } from '../src/store/index.js';
import { postgresUnavailableReason, startPostgres } from '../test/support/postgres.js';
import { sendOnEveryChange } from './lib/rules.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const deliveries = Number(args[0] ?? 20_000);
const concurrency = Number(args[1] ?? 8);
const fsync = !process.argv.includes('--fsync=off');
const USERS_PER_BATCH = 75;

/** One send per user: every batch changes the lead score. */
const sendOne = sendOnEveryChange('bench', 'lead score', { url: 'http://127.0.0.1:9/bench', method: 'POST' });
const noSends = NO_RULES;

let round = 0;
const usersBatch = (count: number): TrackBatch => {
  const r = round++;
  return {
    attributes: Array.from({ length: count }, (_, i) => ({
      externalId: `user-${r}-${i}`,
      ops: { 'lead score': { op: 'inc', by: 5 }, email: { op: 'set', value: `u${i}@example.com` } },
    })),
    events: [],
    purchases: [],
  };
};

async function timed(work: () => Promise<number>): Promise<{ count: number; seconds: number; perSecond: number }> {
  const t0 = performance.now();
  const count = await work();
  const seconds = (performance.now() - t0) / 1000;
  return { count, seconds, perSecond: count / seconds };
}

/** Enqueues `total` deliveries in batches of USERS_PER_BATCH users, `concurrency` batches at a time. */
async function enqueue(store: PostgresStore, total: number): Promise<number> {
  let left = Math.ceil(total / USERS_PER_BATCH);
  let rows = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const { deliveries: made } = await store.applyTrack(usersBatch(USERS_PER_BATCH), sendOne);
        rows += made.length; // added after the await: `rows += await …` would read a stale total
      }
    }),
  );
  return rows;
}

/** Claims everything due with `concurrency` claimers spread over the instances. */
async function drainClaims(stores: PostgresStore[], batchSize: number): Promise<number> {
  const now = new Date(Date.now() + 60_000);
  let claimed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      const store = stores[w % stores.length]!;
      for (;;) {
        const got = await store.claimDeliveries(`worker-${w}`, batchSize, now, 300_000);
        if (got.length === 0) return;
        claimed += got.length;
      }
    }),
  );
  return claimed;
}

/** Baseline: the smallest SKIP LOCKED claim in raw SQL (ids only), same concurrency. */
async function drainRawClaims(store: PostgresStore, batchSize: number): Promise<number> {
  const now = new Date(Date.now() + 60_000).toISOString();
  let claimed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (;;) {
        const { rowCount } = await store.pool.query({
          name: 'bench_raw_claim',
          text: `UPDATE deliveries SET status = 'sending', lease_owner = $3, lease_until = $1
                 WHERE id IN (SELECT id FROM deliveries WHERE status = 'queued' AND next_attempt_at <= $1
                              ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                 RETURNING id`,
          values: [now, batchSize, `raw-${w}`],
        });
        if (!rowCount) return;
        claimed += rowCount;
      }
    }),
  );
  return claimed;
}

/** A scoring program every user of the batches enters (an email is set), with hourly decay. */
const scoring: ChangeRules = {
  campaigns: [],
  programs: [
    {
      id: 'bench',
      program: parseScoringProgram({
        name: 'bench',
        attribute: 'engagement',
        entry: { attribute_changes: ['email'] },
        action_groups: [{ name: 'opened', events: [{ name: 'opened' }], points: 5 }],
        inactivity: { window_seconds: 3600, points: -1 },
      }),
    },
  ],
};

async function applyTrackUsers(store: PostgresStore, total: number, rules: ChangeRules): Promise<number> {
  let left = Math.ceil(total / USERS_PER_BATCH);
  let users = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const { activities } = await store.applyTrack(usersBatch(USERS_PER_BATCH), rules);
        users += activities.length;
      }
    }),
  );
  return users;
}

/** Both instances apply due memberships, 100 per transaction, until none is left. */
async function drainDue(stores: PostgresStore[], now: Date): Promise<number> {
  let applied = 0;
  await Promise.all(
    stores.flatMap((store) =>
      Array.from({ length: Math.max(1, concurrency / 2) }, async () => {
        for (;;) {
          const result = await store.applyDueMemberships(now, 100, scoring);
          applied += result.applied;
          if (result.applied === 0) return;
        }
      }),
    ),
  );
  return applied;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const reason = postgresUnavailableReason();
  if (reason) {
    console.log(`PostgreSQL unavailable: ${reason}`);
    return;
  }
  const cluster = await startPostgres({ fsync });
  // Two instances, as two service processes would share a database.
  const stores = [
    await openPostgresStore({ url: cluster.url, poolSize: concurrency }),
    await openPostgresStore({ url: cluster.url, poolSize: concurrency }),
  ];
  const [store] = stores as [PostgresStore];
  try {
    const version = (await store.pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    console.log(`PostgreSQL ${version}, fsync=${fsync ? 'on' : 'off'}, concurrency ${concurrency}, ${fmt(deliveries)} deliveries per phase`);

    // One row per claim is slow: a quarter of the rows is enough for a stable figure.
    await enqueue(store, deliveries / 4);
    const single = await timed(() => drainClaims(stores, 1));
    const enqueue50 = await timed(() => enqueue(store, deliveries));
    const batched = await timed(() => drainClaims(stores, 50));
    await enqueue(store, deliveries / 4);
    const raw1 = await timed(() => drainRawClaims(store, 1));
    await enqueue(store, deliveries);
    const raw50 = await timed(() => drainRawClaims(store, 50));
    const trackOnly = await timed(() => applyTrackUsers(store, deliveries, noSends));
    const trackSends = await timed(() => applyTrackUsers(store, deliveries, sendOne));
    const trackEnriched = await timed(() => applyTrackUsers(store, deliveries, scoring));
    const due = await timed(() => drainDue(stores, new Date(Date.now() + 7_200_000)));

    const line = (label: string, r: { count: number; seconds: number; perSecond: number }, unit: string) =>
      console.log(`${label.padEnd(40)} ${fmt(r.perSecond).padStart(9)} ${unit}/s  (${fmt(r.count)} in ${r.seconds.toFixed(2)} s)`);
    line('enqueue (applyTrack, 75 users + sends)', enqueue50, 'rows');
    line('claim, 1 row per claim', single, 'claims');
    line('claim, batches of 50', batched, 'claims');
    line('raw SQL claim (ids only), 1 per claim', raw1, 'claims');
    line('raw SQL claim (ids only), batches of 50', raw50, 'claims');
    line('applyTrack, 75 users, no sends', trackOnly, 'users');
    line('applyTrack, 75 users, 1 send each', trackSends, 'users');
    line('applyTrack, 75 users, scoring', trackEnriched, 'users');
    line('applyDueMemberships, 2 instances x 100', due, 'rows');
    console.log(`batch 50 vs batch 1: ${(batched.perSecond / single.perSecond).toFixed(1)}x`);
    console.log(`store claim vs raw SQL: batch 1 ${(single.perSecond / raw1.perSecond).toFixed(2)}x, batch 50 ${(batched.perSecond / raw50.perSecond).toFixed(2)}x`);
    console.log(`applyTrack with sends vs without: ${(trackSends.perSecond / trackOnly.perSecond).toFixed(2)}x`);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await cluster.stop();
  }
}

await main();

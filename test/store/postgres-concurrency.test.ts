// Several store instances (separate pools, as separate service processes would have) sharing one
// PostgreSQL database: claims, lease recovery, per-user serialisation and concurrent migrations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackBatch } from '../../src/domain/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/index.js';
import { migratePostgres, postgresMigrations } from '../../src/store/postgres/index.js';
import { migrations } from '../../src/store/migrations.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { batch, noSends, program, rules, sendOnce } from './contract-helpers.js';

const available = postgresAvailable('PostgreSQL concurrency tests');

describe.skipIf(!available)('PostgreSQL store with concurrent instances', () => {
  let cluster: PostgresCluster;
  const open: PostgresStore[] = [];
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await cluster?.stop();
  });

  /** `count` instances on one fresh database. */
  async function instances(count: number, options: { migrate?: boolean } = {}): Promise<PostgresStore[]> {
    const url = await cluster.createDatabase();
    const stores: PostgresStore[] = [];
    for (let i = 0; i < count; i++) stores.push(await openPostgresStore({ url, poolSize: 3, ...options }));
    open.push(...stores);
    return stores;
  }

  const usersBatch = (n: number, prefix = 'u'): TrackBatch =>
    batch({ attributes: Array.from({ length: n }, (_, i) => ({ externalId: `${prefix}${i}`, ops: { seen: { op: 'set', value: true } } })) });

  it('hands every delivery to exactly one of three claiming instances', async () => {
    const [a, b, c] = await instances(3);
    const { deliveries } = await a!.applyTrack(usersBatch(300), sendOnce('c1', 'seen'));
    expect(deliveries).toHaveLength(300);
    const now = new Date(Date.now() + 1000);
    const claimedBy = new Map<string, string[]>();
    const drain = async (store: PostgresStore, owner: string) => {
      for (;;) {
        const claimed = await store.claimDeliveries(owner, 7, now, 60_000);
        if (claimed.length === 0) return;
        for (const d of claimed) claimedBy.set(d.id, [...(claimedBy.get(d.id) ?? []), owner]);
      }
    };
    await Promise.all([drain(a!, 'a'), drain(b!, 'b'), drain(c!, 'c')]);
    expect(claimedBy.size).toBe(300);
    expect([...claimedBy.values()].filter((owners) => owners.length !== 1)).toEqual([]);
    const stored = await a!.listDeliveries({ status: 'sending', limit: 1000 });
    expect(stored).toHaveLength(300);
  });

  it('lets another instance take over sends whose lease expired, and ignores the late owner', async () => {
    const [crashed, survivor] = await instances(2);
    const { deliveries } = await crashed!.applyTrack(usersBatch(5), sendOnce('c1', 'seen'));
    const now = new Date(Date.now() + 1000);
    // Leases end by the database clock: a lease of 1 s, waited out in real time.
    expect(await crashed!.claimDeliveries('crashed', 10, now, 1_000)).toHaveLength(5);
    expect(await survivor!.claimDeliveries('survivor', 10, now, 60_000)).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_100));
    const later = new Date(now.getTime() + 5_000);
    const taken = await survivor!.claimDeliveries('survivor', 10, later, 60_000);
    expect(taken.map((d) => d.id).sort()).toEqual(deliveries.map((d) => d.id).sort());

    const attempt = { attempt: 1, at: later.toISOString(), latencyMs: 1 };
    // The stalled first owner wakes up: its outcomes must not overwrite the new holder's lease.
    await crashed!.recordOutcomes(taken.map((d) => ({ id: d.id, status: 'dead' as const, attempt })), later, { owner: 'crashed' });
    expect((await survivor!.listDeliveries({ status: 'sending' })).length).toBe(5);
    await survivor!.recordOutcomes(taken.map((d) => ({ id: d.id, status: 'delivered' as const, attempt })), later, { owner: 'survivor' });
    const final = await survivor!.getDelivery(taken[0]!.id);
    expect(final).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(final!.attempts_log).toHaveLength(1);
  });

  it('never loses an increment when instances update the same users at once', async () => {
    const stores = await instances(3);
    await stores[0]!.applyTrack(batch({ attributes: [{ externalId: 'old', ops: { n: { op: 'set', value: 0 } } }] }), noSends);
    const inc = (ids: string[]): TrackBatch => batch({ attributes: ids.map((externalId) => ({ externalId, ops: { n: { op: 'inc', by: 1 } } })) });
    // 'new' does not exist yet: concurrent creators must also serialise. Opposite user orders
    // within batches exercise the stable lock order (a deadlock would fail or retry).
    const work = stores.flatMap((store, i) =>
      Array.from({ length: 20 }, (_, j) => store.applyTrack(inc((i + j) % 2 ? ['old', 'new'] : ['new', 'old']), noSends)),
    );
    const results = await Promise.all(work);
    expect((await stores[1]!.getProfile('old'))?.attributes).toEqual({ n: 60 });
    expect((await stores[2]!.getProfile('new'))?.attributes).toEqual({ n: 60 });
    // Exactly one batch saw 'new' as a new profile.
    const creations = results.filter((r) => r.activities.some((a) => a.externalId === 'new' && a.before === undefined));
    expect(creations).toHaveLength(1);
    const afterValues = results.map((r) => r.activities.find((a) => a.externalId === 'old')!.after.n).sort((x, y) => Number(x) - Number(y));
    expect(afterValues).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('applies each due time once while other instances update the same users, without deadlocks', async () => {
    const stores = await instances(3);
    const T = Date.parse('2030-01-01T00:00:00.000Z');
    const iso = (ms: number) => new Date(T + ms).toISOString();
    const HOUR = 3_600_000;
    // 10 points for entering, one less per hour of inactivity: entered an hour ago, due now.
    const scoring = rules([], [program('p1', { attribute: 'score', windowMs: HOUR })], new Date(T - HOUR));
    const users = Array.from({ length: 30 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const events = (ids: string[]) => batch({ events: ids.map((externalId) => ({ externalId, name: 'opened', time: iso(0), properties: {} })) });
    // Plain score updates (not qualifying actions: the schedule stays), scored under the same locks.
    const raise = (ids: string[]) => batch({ attributes: ids.map((externalId) => ({ externalId, ops: { score: { op: 'inc', by: 10 } } })) });
    await stores[0]!.applyTrack(events(users), scoring);
    const now = new Date(T + 1);

    let tracking = true;
    const track = (async () => {
      // Batches in both user orders, while the other instances claim due rows of the same users.
      for (let i = 0; i < users.length; i += 5) {
        const slice = users.slice(i, i + 5);
        await stores[2]!.applyTrack(raise(i % 10 ? slice : [...slice].reverse()), scoring);
      }
      tracking = false;
    })();
    const drain = async (store: PostgresStore) => {
      for (let round = 0; round < 500; round++) {
        const { applied } = await store.applyDueMemberships(now, 3, scoring);
        if (applied === 0 && !tracking && ((await store.nextMembershipDueAt())?.getTime() ?? Infinity) > now.getTime()) return;
      }
    };
    await Promise.all([track, drain(stores[0]!), drain(stores[1]!)]);

    for (const user of users) {
      expect((await stores[0]!.getProfile(user))?.attributes).toEqual({ score: 19 });
      expect((await stores[1]!.listMemberships(user)).map((m) => m.dueAt)).toEqual([iso(HOUR)]);
    }
    const decays = (await stores[0]!.readExportEvents(0, 10_000)).filter((e) => e.type === 'score_changed' && e.data.reason === 'inactivity');
    expect(decays).toHaveLength(users.length);
    const stats = await stores[0]!.pool.query<{ deadlocks: string }>(
      'SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()',
    );
    expect(Number(stats.rows[0]!.deadlocks)).toBe(0);
  });

  it('applies each migration once when instances start together', async () => {
    const stores = await instances(3, { migrate: false });
    const results = await Promise.all(stores.map((s) => migratePostgres(s.pool)));
    const applied = results.filter((r) => r.shared.length > 0);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toEqual({ shared: migrations.map((m) => m.version), postgres: postgresMigrations.map((m) => m.version) });
    const versions = await stores[0]!.pool.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
    expect(versions.rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    const pgVersions = await stores[0]!.pool.query('SELECT version FROM postgres_schema_version');
    expect(pgVersions.rowCount).toBe(postgresMigrations.length);
    // Opening again (as a restart does) applies nothing and the store works.
    await Promise.all(stores.map((s) => s.migrate()));
    expect((await stores[2]!.applyTrack(usersBatch(1), noSends)).activities).toHaveLength(1);
  });

  it('opens through openStore concurrently on an empty database', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all(Array.from({ length: 3 }, () => openPostgresStore({ url, poolSize: 2 })));
    open.push(...stores);
    const versions = await stores[0]!.pool.query('SELECT version FROM schema_version');
    expect(versions.rowCount).toBe(migrations.length);
  });
});

// Instances sharing one PostgreSQL database: lease times by the database clock whatever the
// instances' clocks say, heartbeats, the takeover of a silent instance's leases, and clients
// whose session the server ends while they are checked out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackBatch } from '../../src/domain/index.js';
import { openPostgresStore, type PostgresStore } from '../../src/store/index.js';
import { inTransaction } from '../../src/store/postgres/db.js';
import { startInstanceHeartbeat, type InstanceHeartbeat } from '../../src/store/postgres/heartbeat.js';
import { beat, type Takeover } from '../../src/store/postgres/instances.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { batch, sendOnce } from './contract-helpers.js';

const available = postgresAvailable('PostgreSQL instance tests');
const HOUR = 3_600_000;
const silentLogger = { info: () => {}, warn: () => {}, error: () => {} };

describe.skipIf(!available)('PostgreSQL instances', () => {
  let cluster: PostgresCluster;
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
    await cluster?.stop();
  });

  async function database(): Promise<{ url: string; store: PostgresStore }> {
    const url = await cluster.createDatabase();
    const store = await openPostgresStore({ url, poolSize: 3 });
    open.push(store);
    return { url, store };
  }

  const users = (prefix: string, n: number): TrackBatch =>
    batch({ attributes: Array.from({ length: n }, (_, i) => ({ externalId: `${prefix}${i}`, ops: { seen: { op: 'set', value: true } } })) });

  it('times leases by the database clock, whatever the instances\u2019 clocks say', async () => {
    const { url, store } = await database();
    const ahead = await openPostgresStore({ url, poolSize: 2, now: () => new Date(Date.now() + HOUR) });
    open.push(ahead);
    const { deliveries } = await store.applyTrack(users('clk', 3), sendOnce('c1', 'seen'));
    const aheadNow = new Date(Date.now() + HOUR);
    const leaseEndOf = async (id: string) =>
      Date.parse((await store.pool.query<{ lease_until: string }>('SELECT lease_until FROM deliveries WHERE id = $1', [id])).rows[0]!.lease_until);

    // An instance an hour ahead claims with a one-minute lease: it ends a minute from now by the
    // database clock, not an hour from now.
    const [first] = await ahead.claimDeliveries('ahead', 1, aheadNow, 60_000);
    expect(Math.abs((await leaseEndOf(first!.id)) - (Date.now() + 60_000))).toBeLessThan(5_000);
    // An instance whose clock says that lease ended long ago (by the claimer's clock) cannot take it.
    const later = new Date(aheadNow.getTime() + 10 * 60_000);
    const others = await store.claimDeliveries('other', 10, later, 60_000);
    expect(others.map((d) => d.id).sort()).toEqual(deliveries.filter((d) => d.id !== first!.id).map((d) => d.id).sort());
    // A renewal by the clock ahead still extends by a minute of database time.
    expect(await ahead.renewLeases('ahead', [first!.id], aheadNow, 120_000)).toBe(1);
    expect(Math.abs((await leaseEndOf(first!.id)) - (Date.now() + 120_000))).toBeLessThan(5_000);

    // Sends handed to a worker as they are written: the lease counts from the database's now too.
    const { deliveries: handed } = await ahead.applyTrack(users('handed', 1), sendOnce('c1', 'seen'), {
      lease: { owner: 'ahead', leaseMs: 30_000, count: 1 },
    });
    expect(handed[0]!.status).toBe('sending');
    expect(Math.abs((await leaseEndOf(handed[0]!.id)) - (Date.now() + 30_000))).toBeLessThan(5_000);
  });

  it('takes over the leases of an instance silent for five heartbeats, and only then, not those of live ones', async () => {
    const { url, store } = await database();
    await store.applyTrack(users('h', 6), sendOnce('c1', 'seen'));
    const now = new Date(Date.now() + 1000);
    expect(await store.claimDeliveries('dead', 2, now, HOUR)).toHaveLength(2);
    expect(await store.claimDeliveries('live', 2, now, HOUR)).toHaveLength(2);
    expect(await store.claimDeliveries('survivor', 2, now, HOUR)).toHaveLength(2);
    // `dead` beat once and stopped (declaring the same 5 heartbeats of silence); `live` keeps beating.
    const everyMs = 100;
    await beat(store.pool, { id: 'dead', host: 'h', pid: 1, silentAfterMs: everyMs * 5 });

    let clock = 0;
    const takeovers: Takeover[] = [];
    const heartbeat = (id: string): InstanceHeartbeat =>
      startInstanceHeartbeat({ url, id, everyMs, logger: silentLogger, onTakeover: (t) => takeovers.push(t), clock: () => clock });
    const survivor = heartbeat('survivor');
    const live = heartbeat('live');
    open.push({ close: () => survivor.stop() }, { close: () => live.stop() });
    await survivor.beatNow();

    // Silent for long enough by the database clock, but the survivor has not itself been beating
    // for five heartbeats yet (as after its start, or after the database was out of reach).
    await new Promise((r) => setTimeout(r, everyMs * 5 + 100));
    await live.beatNow();
    clock = everyMs * 5 - 1;
    await survivor.beatNow();
    expect(takeovers).toEqual([]);

    clock = everyMs * 5;
    await survivor.beatNow();
    expect(takeovers).toEqual([{ instances: ['dead'], deliveries: 2 }]);
    // The dead instance's sends are claimable now, the live one's are not.
    const taken = await store.claimDeliveries('survivor', 10, new Date(), HOUR);
    expect(taken.map((d) => d.externalId).sort()).toEqual(['h0', 'h1']);
    const { rows } = await store.pool.query<{ id: string }>('SELECT id FROM instances ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(['live', 'survivor']);

    // A clean stop removes the instance.
    await live.stop();
    expect((await store.pool.query('SELECT id FROM instances')).rows).toEqual([{ id: 'survivor' }]);
  });

  it('keeps the process up when the server ends the session of a client checked out for a transaction', async () => {
    const { store } = await database();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let backend = 0;
    const transaction = inTransaction(
      store.pool,
      async (client) => {
        backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await held;
        await client.query('SELECT 1');
      },
      1,
    );
    while (backend === 0) await new Promise((r) => setTimeout(r, 10));
    // As `pg_ctl restart -m fast` does to every session: the server ends it while it is idle in a transaction.
    await store.pool.query('SELECT pg_terminate_backend($1)', [backend]);
    await new Promise((r) => setTimeout(r, 200));
    release();
    await expect(transaction).rejects.toThrow(/terminat|not queryable/i);
    // The broken client was dropped; the pool goes on with a new one.
    expect((await store.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

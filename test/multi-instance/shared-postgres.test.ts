// Three `liquidhook serve` processes on one PostgreSQL database: triggers arrive at all three,
// one is SIGKILLed while it holds claimed sends, and the survivors finish its work. Nothing may be
// lost, and a send repeated because it was in flight at the kill carries its first key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, type ChildService } from '../../bench/lib/service.js';
import { apiClient, waitFor, type Api } from '../e2e/helpers.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { startSlowSink, type SlowSink } from './sink.js';

const TRIGGERS = 3_000;
const PER_REQUEST = 75;
const KEY = 'multi-instance-key-0123456789';
const USER_PREFIX = 'mi-';

const available = postgresAvailable('multi-instance test');

describe.skipIf(!available)('several instances sharing one PostgreSQL database', () => {
  let cluster: PostgresCluster;
  let db: pg.Pool;
  let sink: SlowSink;
  const services: ChildService[] = [];
  const emptyTemplates = mkdtempSync(join(tmpdir(), 'lh-mi-templates-'));

  beforeAll(async () => {
    cluster = await startPostgres();
    db = new pg.Pool({ connectionString: cluster.url, max: 2 });
    sink = await startSlowSink(20);
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s?.kill9()));
    await db?.end();
    await sink?.close();
    await cluster?.stop();
    rmSync(emptyTemplates, { recursive: true, force: true });
  });

  const env = () => ({
    LIQUIDHOOK_DATABASE_URL: cluster.url,
    LIQUIDHOOK_DATABASE_POOL_SIZE: '5',
    LIQUIDHOOK_API_KEY: KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: emptyTemplates,
    LIQUIDHOOK_POLL_MS: '100',
    // Short leases: the survivors take over the killed instance's claims within seconds.
    LIQUIDHOOK_LEASE_MS: '2000',
    LIQUIDHOOK_WEBHOOK_TIMEOUT_MS: '1500',
    LIQUIDHOOK_WORKER_CONCURRENCY: '16',
    LIQUIDHOOK_MAX_PER_HOST: '16',
    LIQUIDHOOK_CATALOG_REFRESH_MS: '200',
    // info: the listening line is how the harness learns each instance's port.
    LOG_LEVEL: 'info',
  });

  const count = async (sql: string, values: unknown[] = []): Promise<number> =>
    Number((await db.query<{ n: string }>(sql, values)).rows[0]!.n);

  /** /users/track requests of PER_REQUEST users each, from user `from` on. */
  const trackRequests = (from: number, to: number) =>
    Array.from({ length: Math.ceil((to - from) / PER_REQUEST) }, (_, r) => {
      const start = from + r * PER_REQUEST;
      const size = Math.min(PER_REQUEST, to - start);
      return { attributes: Array.from({ length: size }, (_, i) => ({ external_id: `${USER_PREFIX}${start + i}`, 'lead score': 10 })) };
    });

  const sendAll = async (apis: Api[], bodies: ReturnType<typeof trackRequests>) => {
    await Promise.all(
      bodies.map(async (body, i) => {
        const res = await apis[i % apis.length]!.call('POST', '/users/track', body);
        expect(res.status, res.text).toBe(201);
      }),
    );
  };

  it(`delivers ${TRIGGERS} triggers through a SIGKILL of one of three instances, nothing lost`, async () => {
    const started = Date.now();
    // Registered as each one starts, so afterAll kills them even if another fails to start.
    await Promise.all([0, 1, 2].map(async (i) => (services[i] = await spawnServe(env()))));
    const spawnMs = Date.now() - started;
    const apis = services.map((s) => apiClient(s.url, KEY));
    const created = await apis[0]!.call('POST', '/campaigns', {
      name: 'Lead score to sink',
      trigger: { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' },
      reeligible_after_seconds: 0,
      webhook: {
        url: `${sink.url}/leads/{{\${user_id}}}`,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: { type: 'raw', text: '{"score": {{custom_attribute.${lead score}}}}' },
      },
    });
    expect(created.status, created.text).toBe(201);
    // Each instance lists campaigns from the shared database, so all three plan this campaign.
    for (const api of apis) expect((await api.call('GET', '/campaigns')).json.campaigns).toHaveLength(1);

    // First half over all three instances.
    const sendingFrom = Date.now();
    const half = TRIGGERS / 2 - ((TRIGGERS / 2) % PER_REQUEST);
    await sendAll(apis, trackRequests(0, half));
    const victim = services[2]!;
    const leasedByVictim = () =>
      count(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'sending' AND lease_owner LIKE $1`, [`%:${victim.pid}:%`]);
    // Kill while the victim holds claims and some sends already arrived.
    await waitFor('the victim to hold claimed sends', async () => (sink.arrivals.length >= TRIGGERS / 6 && (await leasedByVictim()) > 0 ? true : undefined), 30_000);
    await victim.kill9();
    const orphaned = await leasedByVictim();
    const arrivedAtKill = sink.arrivals.length;

    // Second half over the survivors.
    await sendAll(apis.slice(0, 2), trackRequests(half, TRIGGERS));
    const finished = async () => {
      const open = await count(`SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'delivered'`);
      const total = await count('SELECT COUNT(*) AS n FROM deliveries');
      return open === 0 && total >= TRIGGERS ? true : undefined;
    };
    await waitFor('every delivery to be delivered', finished, 60_000).catch(async (error: Error) => {
      const byStatus = await db.query('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status');
      throw new Error(`${error.message}: ${JSON.stringify(byStatus.rows)}; survivor output:\n${services[0]!.output().slice(-2000)}`);
    });
    const deliveringMs = Date.now() - sendingFrom;

    const { rows } = await db.query<{ external_id: string; idempotency_key: string; status: string }>(
      'SELECT external_id, idempotency_key, status FROM deliveries WHERE external_id LIKE $1',
      [`${USER_PREFIX}%`],
    );
    expect(rows).toHaveLength(TRIGGERS);
    expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
    const keyOf = new Map(rows.map((r) => [r.external_id, r.idempotency_key]));
    expect(keyOf.size).toBe(TRIGGERS); // one send per user

    const arrivedKeys = new Map<string, Set<string>>();
    for (const a of sink.arrivals) arrivedKeys.set(a.recipient, (arrivedKeys.get(a.recipient) ?? new Set()).add(a.key));
    const lost = [...keyOf.keys()].filter((user) => !arrivedKeys.get(user)?.has(keyOf.get(user)!));
    const foreignKeys = [...arrivedKeys].filter(([user, keys]) => keys.size !== 1 || !keys.has(keyOf.get(user) ?? ''));
    const duplicates = sink.arrivals.length - arrivedKeys.size;
    console.info(
      `multi-instance: ${TRIGGERS} triggers over 3 instances, 1 SIGKILL after ${arrivedAtKill} arrivals with ${orphaned} claims ` +
        `orphaned; instances up in ${spawnMs} ms, ` +
        `first trigger to all delivered ${deliveringMs} ms; ${duplicates} duplicate arrivals (same key), ${lost.length} lost`,
    );
    expect(orphaned).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(foreignKeys).toEqual([]);
    expect(arrivedKeys.size).toBe(TRIGGERS);
    // At most the sends the victim had in flight are repeated.
    expect(duplicates).toBeLessThanOrEqual(orphaned);
    // The survivors still shut down cleanly.
    expect(await services[0]!.stop()).toBe(0);
    expect(await services[1]!.stop()).toBe(0);
  }, 90_000);
});

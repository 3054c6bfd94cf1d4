// The database goes away under two running instances: a real `pg_ctl restart -m fast` while
// sends are under way, then the server stopped for a few seconds. The instances stay up, /health
// answers 503 "degraded" and /users/track 503 with Retry-After while it is down, and everything
// accepted is delivered once it is back, each send with its first key.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, type ChildService } from '../../bench/lib/service.js';
import { apiClient, waitFor, type Api } from '../e2e/helpers.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { startSlowSink, type SlowSink } from './sink.js';

const KEY = 'database-restart-key-0123456789';

describe.skipIf(!postgresAvailable('database restart test'))('instances on PostgreSQL when the database restarts', () => {
  let cluster: PostgresCluster;
  let sink: SlowSink;
  let db: pg.Pool;
  const services: ChildService[] = [];
  let apis: Api[] = [];

  beforeAll(async () => {
    cluster = await startPostgres();
    db = new pg.Pool({ connectionString: cluster.url, max: 1 });
    db.on('error', () => {});
    sink = await startSlowSink(50);
    const env = {
      LIQUIDHOOK_DATABASE_URL: cluster.url,
      LIQUIDHOOK_DATABASE_POOL_SIZE: '4',
      LIQUIDHOOK_API_KEY: KEY,
      LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
      LIQUIDHOOK_TEMPLATES_DIR: mkdtempSync(join(tmpdir(), 'lh-restart-templates-')),
      LIQUIDHOOK_POLL_MS: '200',
      LIQUIDHOOK_CATALOG_REFRESH_MS: '200',
      LOG_LEVEL: 'info',
    };
    for (let i = 0; i < 2; i++) services.push(await spawnServe(env));
    apis = services.map((s) => apiClient(s.url, KEY));
    const created = await apis[0]!.call('POST', '/campaigns', {
      name: 'Score to sink',
      trigger: { type: 'custom_attribute_changed', attribute: 'score', change: 'any' },
      reeligible_after_seconds: 0,
      webhook: { url: `${sink.url}/leads/{{\${user_id}}}`, method: 'POST', body: { type: 'raw', text: '{"score": {{custom_attribute.${score}}}}' } },
    });
    expect(created.status, created.text).toBe(201);
    await new Promise((r) => setTimeout(r, 500));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(services.map((s) => s.kill9()));
    await db?.end();
    await sink?.close();
    await cluster?.stop();
  });

  const alive = (service: ChildService) => {
    try {
      process.kill(service.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const track = (api: Api, users: string[]) => api.call('POST', '/users/track', { attributes: users.map((external_id) => ({ external_id, score: 1 })) });
  const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  it('survives pg_ctl restart -m fast with sends under way, and delivers everything', async () => {
    const before = users('restart', 150);
    for (let i = 0; i < before.length; i += 25) expect((await track(apis[i % 2]!, before.slice(i, i + 25))).status).toBe(201);
    await waitFor('sends under way', () => (sink.arrivals.length >= 10 ? true : undefined));
    await cluster.restart('fast');
    // Accepted after the restart too (a request that meets the restart may answer 503: retried).
    const after = users('after-restart', 50);
    await waitFor('the database to take requests again', async () => ((await track(apis[1]!, after)).status === 201 ? true : undefined), 30_000);

    const expected = [...before, ...after];
    const arrived = () => new Set(sink.arrivals.map((a) => a.recipient));
    await waitFor('every send to arrive', () => (expected.every((u) => arrived().has(u)) ? true : undefined), 30_000).catch(async (error: Error) => {
      const { rows } = await db.query('SELECT status, lease_owner IS NOT NULL AS leased, COUNT(*) AS n FROM deliveries GROUP BY 1, 2');
      const missing = expected.filter((u) => !arrived().has(u));
      throw new Error(`${error.message}: ${missing.length} missing (${missing.slice(0, 3).join(', ')}); outbox ${JSON.stringify(rows)}\n${services.map((s) => s.output().slice(-3000)).join('\n---\n')}`);
    });
    await waitFor('every delivery recorded', async () => {
      const { rows } = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'delivered'`).catch(() => ({ rows: [{ n: '-1' }] }));
      return rows[0]!.n === '0' ? true : undefined;
    }, 30_000);
    const keys = new Map<string, Set<string>>();
    for (const a of sink.arrivals) keys.set(a.recipient, (keys.get(a.recipient) ?? new Set()).add(a.key));
    expect([...keys.values()].filter((k) => k.size !== 1)).toEqual([]);
    expect(services.every(alive)).toBe(true);
    for (const service of services) expect(service.output()).not.toMatch(/Unhandled 'error' event/);
  }, 120_000);

  it('answers 503 while the database is down (/health degraded, /users/track with Retry-After) and recovers by itself', async () => {
    await cluster.pause();
    try {
      for (const api of apis) {
        const health = await waitFor('/health to report the outage', async () => {
          const res = await api.call('GET', '/health');
          return res.status === 503 ? res : undefined;
        });
        expect(health.json).toEqual({ status: 'degraded', store: 'postgres', database: 'unreachable' });
      }
      const refused = await fetch(`${services[0]!.url}/users/track`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ attributes: [{ external_id: 'while-down', score: 1 }] }),
      });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(services.every(alive)).toBe(true);
    } finally {
      await cluster.resume();
    }
    for (const api of apis) await waitFor('/health to be ok again', async () => ((await api.call('GET', '/health')).status === 200 ? true : undefined), 30_000);
    // Nothing of the refused request was written; sent again, it is accepted and delivered.
    expect((await db.query(`SELECT 1 FROM profiles WHERE external_id = 'while-down'`).catch(() => ({ rows: ['?'] }))).rows).toEqual([]);
    expect((await track(apis[0]!, ['while-down'])).status).toBe(201);
    await waitFor('the send to arrive', () => (sink.arrivals.some((a) => a.recipient === 'while-down') ? true : undefined), 30_000);
    expect(services.every(alive)).toBe(true);
  }, 120_000);
});

// Several `liquidhook serve` instances on one PostgreSQL database, default settings, as users run
// them: shared helpers of the failover and database-outage scenarios.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { spawnServe, type ChildService } from '../../bench/lib/service.js';
import { apiClient, waitFor, type Api } from '../e2e/helpers.js';
import { sinkCampaign, type TestSink } from './sinks.js';

export const KEY = 'reliability-key-0123456789';

export interface Instance {
  child: ChildService;
  api: Api;
}

export async function startInstances(url: string, count: number): Promise<Instance[]> {
  const templates = mkdtempSync(join(tmpdir(), 'lh-rel-pg-'));
  const env = {
    LIQUIDHOOK_DATABASE_URL: url,
    LIQUIDHOOK_API_KEY: KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: templates,
    LOG_LEVEL: 'info',
  };
  const instances: Instance[] = [];
  // One after another: they migrate the same empty database.
  for (let i = 0; i < count; i++) {
    const child = await spawnServe(env);
    instances.push({ child, api: apiClient(child.url, KEY) });
  }
  return instances;
}

/** Creates the sink campaign through the first instance and waits until every catalog has it. */
export async function createCampaign(instances: Instance[], sinkUrl: string): Promise<void> {
  const created = await instances[0]!.api.call('POST', '/campaigns', sinkCampaign(sinkUrl));
  if (created.status !== 201) throw new Error(`campaign not created: ${created.status} ${created.text}`);
  // Catalogs reload every LIQUIDHOOK_CATALOG_REFRESH_MS (2 s by default).
  await new Promise((r) => setTimeout(r, 2_500));
}

/**
 * One send through each instance, waited for: the first send starts an instance's send thread,
 * which (running the TypeScript sources) takes seconds on a loaded machine. Measured faults
 * then start from instances that are already sending.
 */
export async function warmUp(instances: Instance[], sink: TestSink, prefix: string): Promise<void> {
  await Promise.all(
    instances.map(async (instance, i) => {
      const res = await instance.api.call('POST', '/users/track', { attributes: [{ external_id: `${prefix}-warmup-${i}`, score: 1 }] });
      if (res.status !== 201) throw new Error(`warm-up send refused: ${res.status} ${res.text}`);
    }),
  );
  await waitFor('the warm-up sends', () => (instances.every((_, i) => sink.arrivals.some((a) => a.recipient === `${prefix}-warmup-${i}`)) ? true : undefined), 60_000);
  // Counted from here: the warm-up sends are not part of a scenario's figures.
  sink.arrivals.length = 0;
}

/** Whether the process is still running (signal 0 only checks). */
export function alive(instance: Instance): boolean {
  try {
    process.kill(instance.child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Unhandled errors and crash lines in an instance's output. */
export function crashLines(instance: Instance): string[] {
  return instance.child
    .output()
    .split('\n')
    .filter((line) => /Unhandled 'error' event|uncaughtException|unhandledRejection|^\s+at /.test(line))
    .slice(0, 5);
}

export async function countRows(pool: pg.Pool, sql: string, values: unknown[] = []): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql, values)).rows[0]!.n);
}

/** Deliveries by status, warm-up sends left out. */
export async function statusCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ status: string; n: string }>(
    `SELECT status, COUNT(*) AS n FROM deliveries WHERE external_id NOT LIKE '%-warmup-%' GROUP BY status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

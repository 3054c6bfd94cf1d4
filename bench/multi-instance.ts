// End-to-end sends/s with several `liquidhook serve` processes on one PostgreSQL database:
// 1 instance on SQLite, 1 instance on PostgreSQL and 3 instances on PostgreSQL, each on a fresh
// database, measured in the same run against the same sink process.
// Every figure runs from the first /users/track request to the sink holding all N distinct
// idempotency keys. On a machine with few cores the instances, PostgreSQL, the sink and this
// client share them, so more instances need not mean more sends/s.
//   npx tsx bench/multi-instance.ts [sends=3000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { postgresUnavailableReason, startPostgres, type PostgresCluster } from '../test/support/postgres.js';
import { SERVICE_ENV } from './e2e.js';
import { spawnServe, type ChildService } from './lib/service.js';
import { startSink, type Sink } from './lib/sink.js';
import { pool, sleep } from './lib/stats.js';

const API_KEY = 'bench-multi-instance-key-0123456789';
const USERS_PER_REQUEST = 75; // Braze's /users/track limit per kind
const IN_FLIGHT_PER_INSTANCE = 4; // as in bench/e2e.ts for one instance
const WARM_UP_PER_INSTANCE = 300;

export interface ConfigFigures {
  label: string;
  instances: number;
  sends: number;
  seconds: number;
  perSecond: number;
  /** Arrivals beyond the first one per idempotency key. */
  duplicates: number;
  /** Seconds from spawning the instances to all of them listening. */
  startSeconds: number;
  /** 1-minute load average before the timed phase (other work on the machine shows here). */
  loadBefore: number;
  /** CPU ms the service processes used per send in the timed phase (NaN without /proc). */
  serviceCpuMsPerSend: number;
  /** Share of all cores busy during the timed phase, any process (NaN without /proc). */
  machineBusy: number;
}

export type ConfigResult = ConfigFigures | { label: string; notMeasured: string };

export interface MultiInstanceFigures {
  sends: number;
  cores: number;
  postgres: { version: string; fsync: boolean } | { notMeasured: string };
  sqlite1: ConfigResult;
  postgres1: ConfigResult;
  postgres3: ConfigResult;
  serviceEnv: Record<string, string>;
}

export const measured = (r: ConfigResult): r is ConfigFigures => 'perSecond' in r;

interface Instance {
  child: ChildService;
  agent: Agent;
}

const campaign = (sinkUrl: string) => ({
  name: 'Bench: lead score to sink',
  trigger: { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' },
  reeligible_after_seconds: 0,
  webhook: {
    url: `${sinkUrl}/leads/{{\${user_id}}}`,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: { type: 'raw', text: '{"score": {{custom_attribute.${lead score}}}}' },
  },
});

async function post(instance: Instance, path: string, body: unknown): Promise<void> {
  const res = await request(`${instance.child.url}${path}`, {
    method: 'POST',
    dispatcher: instance.agent,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`POST ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
}

/** /users/track bodies for `total` new users, each one change of `lead score`. */
function trackBodies(prefix: string, total: number): unknown[] {
  return Array.from({ length: Math.ceil(total / USERS_PER_REQUEST) }, (_, r) => {
    const from = r * USERS_PER_REQUEST;
    const size = Math.min(USERS_PER_REQUEST, total - from);
    return { attributes: Array.from({ length: size }, (_, i) => ({ external_id: `${prefix}${from + i}`, 'lead score': from + i })) };
  });
}

/** Polls the sink until it holds `total` distinct idempotency keys; returns the epoch ms the last one arrived. */
async function waitForDistinctKeys(sink: Sink, total: number, deadline: number): Promise<{ lastMs: number; arrivals: number }> {
  for (;;) {
    if ((await sink.count()) >= total) {
      const arrivals = await sink.arrivals();
      const firstArrival = new Map<string, number>();
      for (const [, key, at] of arrivals) if (!firstArrival.has(key) || firstArrival.get(key)! > at) firstArrival.set(key, at);
      if (firstArrival.size >= total) return { lastMs: Math.max(...firstArrival.values()), arrivals: arrivals.length };
    }
    if (Date.now() > deadline) throw new Error(`only ${await sink.count()} of ${total} sends arrived in time`);
    await sleep(20);
  }
}

/** Posts `bodies` round-robin over the instances, IN_FLIGHT_PER_INSTANCE requests each at a time. */
const spread = (instances: Instance[], bodies: unknown[]): Promise<void> =>
  pool(bodies.length, IN_FLIGHT_PER_INSTANCE * instances.length, (i) => post(instances[i % instances.length]!, '/users/track', bodies[i]));

// Linux /proc accounting, to tell whether a configuration ran out of cores.
const TICK_MS = 10; // USER_HZ is 100 on Linux
const readOr = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};
/** utime + stime of a process in ms. */
function processCpuMs(pid: number): number {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return NaN;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}
/** Busy and total jiffies of all cores together. */
function machineJiffies(): { busy: number; total: number } {
  const line = readOr('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return { busy: NaN, total: NaN };
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

let configs = 0;

/** Starts `count` instances on `env`, warms them up, then times `sends` triggers. */
async function runConfig(label: string, count: number, env: Record<string, string>, sink: Sink, sends: number, deadline: number): Promise<ConfigFigures> {
  const instances: Instance[] = [];
  const tag = `c${++configs}`;
  try {
    const t0 = performance.now();
    // Registered as each one starts, so the finally stops them even if another fails to start.
    await Promise.all(
      Array.from({ length: count }, async () => {
        const child = await spawnServe(env);
        instances.push({ child, agent: new Agent({ connections: IN_FLIGHT_PER_INSTANCE, keepAliveTimeout: 30_000 }) });
      }),
    );
    const startSeconds = (performance.now() - t0) / 1000;
    await post(instances[0]!, '/campaigns', campaign(sink.url));
    // Warm-up through every instance: JIT, pools, and proof that each one plans the campaign
    // (the others pick it up from the shared database within LIQUIDHOOK_CATALOG_REFRESH_MS).
    await sleep(count > 1 ? 300 : 0);
    await sink.reset();
    const warm = WARM_UP_PER_INSTANCE * count;
    await spread(instances, trackBodies(`${tag}w-`, warm));
    await waitForDistinctKeys(sink, warm, Math.min(deadline, Date.now() + 20_000));
    await sink.reset();

    const loadBefore = loadavg()[0]!;
    const serviceCpu = () => instances.reduce((sum, i) => sum + processCpuMs(i.child.pid), 0);
    const [cpu0, machine0] = [serviceCpu(), machineJiffies()];
    const first = performance.timeOrigin + performance.now();
    await spread(instances, trackBodies(`${tag}-`, sends));
    const done = await waitForDistinctKeys(sink, sends, deadline);
    const [cpu1, machine1] = [serviceCpu(), machineJiffies()];
    const seconds = (done.lastMs - first) / 1000;
    return {
      label,
      instances: count,
      sends,
      seconds,
      perSecond: sends / seconds,
      duplicates: done.arrivals - sends,
      startSeconds,
      loadBefore,
      serviceCpuMsPerSend: (cpu1 - cpu0) / sends,
      machineBusy: (machine1.busy - machine0.busy) / (machine1.total - machine0.total),
    };
  } finally {
    await Promise.all(
      instances.map(async ({ child, agent }) => {
        await agent.close();
        const stopped = child.stop();
        if ((await Promise.race([stopped, sleep(10_000).then(() => 'late' as const)])) === 'late') await child.kill9();
      }),
    );
  }
}

async function attempt(label: string, deadline: number, work: () => Promise<ConfigFigures>): Promise<ConfigResult> {
  if (Date.now() > deadline) return { label, notMeasured: 'time budget of the section used up before this configuration' };
  try {
    return await work();
  } catch (error) {
    return { label, notMeasured: (error as Error).message.split('\n')[0]! };
  }
}

export async function measureMultiInstance(options: { sends?: number; budgetMs?: number; fsync?: boolean } = {}): Promise<MultiInstanceFigures> {
  const sends = options.sends ?? 3_000;
  const fsync = options.fsync ?? true; // commit latency is part of what a send costs in production
  const deadline = Date.now() + (options.budgetMs ?? 60_000);
  const dir = mkdtempSync(join(tmpdir(), 'lh-bench-multi-'));
  const base = {
    ...SERVICE_ENV,
    LIQUIDHOOK_API_KEY: API_KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: join(dir, 'no-templates'),
    LIQUIDHOOK_CATALOG_REFRESH_MS: '200',
    // info: the listening line is how spawnServe learns the port (as in bench/e2e.ts).
    LOG_LEVEL: 'info',
  };
  const sink = await startSink();
  let cluster: PostgresCluster | undefined;
  try {
    const sqlite1 = await attempt('SQLite, 1 instance', deadline, () =>
      runConfig('SQLite, 1 instance', 1, { ...base, LIQUIDHOOK_DB: join(dir, 'liquidhook.db') }, sink, sends, deadline),
    );
    const reason = postgresUnavailableReason();
    let postgres: MultiInstanceFigures['postgres'] = { notMeasured: reason ?? '' };
    const pgConfig = async (label: string, count: number): Promise<ConfigResult> => {
      if (!cluster) return { label, notMeasured: 'notMeasured' in postgres ? postgres.notMeasured : 'no cluster' };
      const { createDatabase } = cluster;
      return attempt(label, deadline, async () => {
        const url = await createDatabase(); // a fresh database per configuration
        return runConfig(label, count, { ...base, LIQUIDHOOK_DATABASE_URL: url }, sink, sends, deadline);
      });
    };
    if (!reason) {
      try {
        cluster = await startPostgres({ fsync });
        const client = new pg.Client({ connectionString: cluster.url });
        await client.connect();
        const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
        await client.end();
        postgres = { version, fsync };
      } catch (error) {
        postgres = { notMeasured: (error as Error).message.split('\n')[0]! };
      }
    }
    const postgres1 = await pgConfig('PostgreSQL, 1 instance', 1);
    const postgres3 = await pgConfig('PostgreSQL, 3 instances', 3);
    return { sends, cores: cpus().length, postgres, sqlite1, postgres1, postgres3, serviceEnv: SERVICE_ENV };
  } finally {
    await cluster?.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The two comparison lines (or why one was not measured), as printed standalone. */
export function summaryLines(f: MultiInstanceFigures): string[] {
  const { sqlite1: s, postgres1: p1, postgres3: p3 } = f;
  const why = (r: ConfigResult): string => (measured(r) ? '' : `${r.label}: ${r.notMeasured}`);
  return [
    measured(p1) && measured(p3)
      ? `PostgreSQL, 3 instances vs 1: ${fmt(p3.perSecond)} sends/s (1 instance: ${fmt(p1.perSecond)}) ratio ${(p3.perSecond / p1.perSecond).toFixed(2)}×`
      : `PostgreSQL, 3 instances vs 1: not measured: ${why(p3) || why(p1)}`,
    measured(p1) && measured(s)
      ? `PostgreSQL 1 instance vs SQLite 1 instance: ${fmt(p1.perSecond)} sends/s (SQLite: ${fmt(s.perSecond)}) ratio ${(p1.perSecond / s.perSecond).toFixed(2)}×`
      : `PostgreSQL 1 instance vs SQLite 1 instance: not measured: ${why(p1) || why(s)}`,
  ];
}

export function detailLine(r: ConfigResult): string {
  if (!measured(r)) return `${r.label}: not measured: ${r.notMeasured}`;
  return `${r.label}: ${fmt(r.sends)} sends in ${r.seconds.toFixed(2)} s = ${fmt(r.perSecond)} sends/s, ${r.duplicates} duplicate arrivals, instances up in ${r.startSeconds.toFixed(1)} s, load ${r.loadBefore.toFixed(1)} before, service CPU ${r.serviceCpuMsPerSend.toFixed(2)} ms/send, cores ${(r.machineBusy * 100).toFixed(0)}% busy`;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const sends = Number(process.argv[2] ?? process.env.BENCH_MULTI_SENDS ?? 3_000);
  const t0 = performance.now();
  const f = await measureMultiInstance({ sends });
  const pgInfo = 'version' in f.postgres ? `PostgreSQL ${f.postgres.version}, fsync=${f.postgres.fsync ? 'on' : 'off'}` : `PostgreSQL not measured: ${f.postgres.notMeasured}`;
  console.log(`${fmt(f.sends)} sends per configuration, ${f.cores} cores; ${pgInfo}; ${JSON.stringify(f.serviceEnv)}`);
  for (const r of [f.sqlite1, f.postgres1, f.postgres3]) console.log(detailLine(r));
  for (const l of summaryLines(f)) console.log(l);
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

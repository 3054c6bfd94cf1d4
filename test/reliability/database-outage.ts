// The database goes away under load: three instances with default settings on PostgreSQL while
// clients keep posting /users/track, first through `pg_ctl restart -m fast`, then through 30 s
// with the server stopped. Instances must stay up, /health answer 503 "degraded" meanwhile and
// "ok" after, /users/track answer 503 with Retry-After (clients retry), and every accepted send
// arrive, with its first key.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { waitFor } from '../e2e/helpers.js';
import type { PostgresCluster } from '../support/postgres.js';
import { alive, crashLines, createCampaign, KEY, startInstances, statusCounts, warmUp, type Instance } from './postgres-instances.js';
import { startSink, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';
import { accepted, tally } from './tally.js';

const INSTANCES = 3;
const OUTAGE_MS = Number(process.env.RELIABILITY_DB_OUTAGE_MS ?? 30_000);
/** Every accepted send arrives within this long of the database's return. */
const RESUME_GOAL_MS = 20_000;
const WAIT_MS = Number(process.env.RELIABILITY_DB_WAIT_MS ?? 30_000);
const CLIENTS = 2;
const USERS_PER_REQUEST = 10;

interface Load {
  /** Recipients of requests answered 201. */
  accepted: Set<string>;
  /** 503 answers with a Retry-After header, and anything else that was not a 201. */
  unavailable: number;
  other: string[];
  stop(): Promise<void>;
}

/** Clients posting new users in a loop; a refused request is retried after its Retry-After, as Braze clients do. */
function startLoad(instances: Instance[], prefix: string): Load {
  let running = true;
  let clients: Promise<void>[] = [];
  const load: Load = {
    accepted: new Set(),
    unavailable: 0,
    other: [],
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
  let next = 0;
  const client = async (c: number): Promise<void> => {
    while (running) {
      const users = Array.from({ length: USERS_PER_REQUEST }, () => `${prefix}-${next++}`);
      const body = { attributes: users.map((external_id) => ({ external_id, score: 1 })) };
      // Same body until accepted: a user is new once, so a repeat after an unclear answer sends nothing twice.
      for (let attempt = 0; ; attempt++) {
        const target = instances[(c + attempt) % instances.length]!;
        let status = 0;
        let retryAfter: string | null = null;
        try {
          const res = await fetch(`${target.child.url}/users/track`, {
            method: 'POST',
            headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          await res.arrayBuffer();
          status = res.status;
          retryAfter = res.headers.get('retry-after');
        } catch (error) {
          load.other.push(`request failed: ${(error as Error).message}`);
        }
        if (status === 201) {
          for (const user of users) load.accepted.add(user);
          break;
        }
        if (status === 503 && retryAfter) load.unavailable++;
        else if (status !== 0) load.other.push(`${status}${status === 503 ? ' without Retry-After' : ''}`);
        // Once the load stops, a request still refused is given up: its users were never accepted.
        if (!running) break;
        await new Promise((r) => setTimeout(r, Math.min(1000, Number(retryAfter ?? 1) * 1000)));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
  return load;
}

interface HealthLog {
  /** Per instance, the statuses seen in order, consecutive repeats folded. */
  seen: string[][];
  stop(): Promise<void>;
}

function watchHealth(instances: Instance[]): HealthLog {
  const seen = instances.map(() => [] as string[]);
  let running = true;
  const watch = async (i: number): Promise<void> => {
    while (running) {
      let state: string;
      try {
        const res = await instances[i]!.api.call('GET', '/health');
        state = `${res.status} ${res.json?.status ?? res.text}`;
      } catch {
        state = 'no answer';
      }
      if (seen[i]!.at(-1) !== state) seen[i]!.push(state);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const watchers = instances.map((_, i) => watch(i));
  return {
    seen,
    async stop() {
      running = false;
      await Promise.all(watchers);
    },
  };
}

type Fault = 'restart' | 'outage';

async function runFault(cluster: PostgresCluster, fault: Fault, state: { instances: Instance[]; db?: pg.Pool; sink?: TestSink }) {
  const url = await cluster.createDatabase(`outage_${fault}`);
  state.db = new pg.Pool({ connectionString: url, max: 2 });
  state.db.on('error', () => {});
  const sink = (state.sink = await startSink(() => 'ok', 0, 20));
  const instances = (state.instances = await startInstances(url, INSTANCES));
  await createCampaign(instances, sink.url);
  await warmUp(instances, sink, fault);
  const health = watchHealth(instances);
  const load = startLoad(instances, fault);
  await new Promise((r) => setTimeout(r, 3_000));

  const faultAt = Date.now();
  if (fault === 'restart') {
    await cluster.restart('fast');
  } else {
    await cluster.pause();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await cluster.resume();
  }
  const backAt = Date.now();
  await new Promise((r) => setTimeout(r, 5_000));
  await load.stop();
  const sent = load.accepted.size;

  const arrived = () => [...load.accepted].filter((user) => accepted(sink).has(user)).length;
  await waitFor('every accepted send to arrive', () => (arrived() === sent ? true : undefined), RESUME_GOAL_MS + WAIT_MS).catch(() => undefined);
  // The last outcomes are committed a moment after their send arrived.
  await waitFor('the outbox to settle', async () => {
    const counts = await statusCounts(state.db!).catch(() => ({}) as Record<string, number>);
    return (counts.queued ?? 0) + (counts.sending ?? 0) === 0 ? true : undefined;
  }, 10_000).catch(() => undefined);
  await health.stop();
  const times = [...accepted(sink)].filter(([user]) => load.accepted.has(user)).map(([, at]) => at);
  const lastArrival = Math.max(...times);
  const { duplicates, mixedKeys } = tally(sink);
  const up = instances.filter(alive).length;
  let statuses: Record<string, number> = {};
  try {
    statuses = await statusCounts(state.db);
  } catch {
    statuses = { unreadable: 1 };
  }
  const pending = (statuses.queued ?? 0) + (statuses.sending ?? 0);
  const delivered = arrived();
  const lost = Math.max(0, sent - delivered - (statuses.dead ?? 0) - pending);
  const degradedSeen = health.seen.filter((s) => s.some((x) => x.startsWith('503 degraded'))).length;
  const okAfter = health.seen.filter((s) => s.at(-1) === '200 ok').length;
  recordScenario({
    scenario:
      fault === 'restart'
        ? `database restart: pg_ctl restart -m fast, ${INSTANCES} instances under load`
        : `database down ${OUTAGE_MS / 1000} s (server stopped), ${INSTANCES} instances under load`,
    sent,
    delivered,
    dead: statuses.dead ?? 0,
    lost,
    duplicates,
    lastArrivalMs: lastArrival - backAt,
    note:
      `time to the last arrival counted from the database's return (${((backAt - faultAt) / 1000).toFixed(1)} s after the fault began); ` +
      `${up} of ${INSTANCES} instances up after; /health 503 degraded seen by ${degradedSeen}, ok at the end on ${okAfter}; ` +
      `/users/track: ${load.unavailable} x 503 with Retry-After, ${load.other.length} other answers${load.other.length ? ` (${[...new Set(load.other)].slice(0, 3).join('; ')})` : ''}; ` +
      `outbox at the end: ${JSON.stringify(statuses)}` +
      (up < INSTANCES ? `; crash: ${instances.flatMap(crashLines).slice(0, 2).join(' | ')}` : ''),
  });

  expect(up).toBe(INSTANCES);
  expect(load.other).toEqual([]);
  expect(mixedKeys).toBe(0);
  expect(lost).toBe(0);
  expect(delivered).toBe(sent);
  expect(lastArrival - backAt).toBeLessThanOrEqual(RESUME_GOAL_MS);
  expect(okAfter).toBe(INSTANCES);
  if (fault === 'outage') expect(degradedSeen).toBe(INSTANCES);
}

export function databaseOutageScenarios(cluster: () => PostgresCluster): void {
  for (const fault of ['restart', 'outage'] as const) {
    const state: { instances: Instance[]; db?: pg.Pool; sink?: TestSink } = { instances: [] };
    afterAll(async () => {
      await Promise.all(state.instances.map((i) => i.child.kill9()));
      await state.db?.end();
      await state.sink?.close();
    });
    const what = fault === 'restart' ? 'pg_ctl restart -m fast' : `the database down for ${OUTAGE_MS / 1000} s`;
    it(`database ${fault}: through ${what} under load, instances stay up, /health degraded then ok, nothing lost`, async () => {
      await runFault(cluster(), fault, state);
    }, OUTAGE_MS + RESUME_GOAL_MS + WAIT_MS + 120_000);
  }
}

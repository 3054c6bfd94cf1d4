// Failover on PostgreSQL: three instances with default settings share the sends; one is SIGKILLed
// while it holds leased sends, and the survivors, still taking new sends, must deliver the killed
// instance's leased sends within FAILOVER_GOAL_MS of the kill, each with its first key.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { waitFor } from '../e2e/helpers.js';
import type { PostgresCluster } from '../support/postgres.js';
import { alive, countRows, createCampaign, startInstances, statusCounts, warmUp, type Instance } from './postgres-instances.js';
import { startSink, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';
import { tally } from './tally.js';

const SENDS = 900;
const PER_REQUEST = 75;
const FAILOVER_GOAL_MS = 20_000;
const WAIT_MS = Number(process.env.RELIABILITY_FAILOVER_WAIT_MS ?? 30_000);
const SINK_DELAY_MS = 100;

export function failoverScenario(cluster: () => PostgresCluster): void {
  let sink: TestSink | undefined;
  let instances: Instance[] = [];
  let db: pg.Pool | undefined;
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.child.kill9()));
    await db?.end();
    await sink?.close();
  });

  it(`failover: survivors deliver a SIGKILLed instance's leased sends within ${FAILOVER_GOAL_MS / 1000} s (3 instances, PostgreSQL)`, async () => {
    const url = await cluster().createDatabase('failover');
    db = new pg.Pool({ connectionString: url, max: 2 });
    sink = await startSink(() => 'ok', 0, SINK_DELAY_MS);
    instances = await startInstances(url, 3);
    await createCampaign(instances, sink.url);
    await warmUp(instances, sink, 'failover');

    const bodies = Array.from({ length: SENDS / PER_REQUEST }, (_, r) => ({
      attributes: Array.from({ length: PER_REQUEST }, (_, i) => ({ external_id: `failover-${r * PER_REQUEST + i}`, score: 1 })),
    }));
    const send = async (targets: Instance[], part: typeof bodies) =>
      Promise.all(
        part.map(async (body, i) => {
          const res = await targets[i % targets.length]!.api.call('POST', '/users/track', body);
          expect(res.status, res.text).toBe(201);
        }),
      );
    const half = bodies.length / 2;
    await send(instances, bodies.slice(0, half));

    const victim = instances[2]!;
    const leasedByVictim = async () =>
      (
        await db!.query<{ external_id: string }>(`SELECT external_id FROM deliveries WHERE status = 'sending' AND lease_owner LIKE $1`, [
          `%:${victim.child.pid}:%`,
        ])
      ).rows.map((r) => r.external_id);
    await waitFor('the victim to hold leased sends', async () => ((await leasedByVictim()).length >= 16 ? true : undefined), 30_000);
    await victim.child.kill9();
    const killAt = Date.now();
    const orphaned = await leasedByVictim();

    // The survivors keep taking new sends meanwhile.
    await send(instances.slice(0, 2), bodies.slice(half));
    const firstAfterKill = (recipient: string) => sink!.arrivals.find((a) => a.recipient === recipient && a.at > killAt)?.at;
    const recovered = () => orphaned.map(firstAfterKill).filter((at): at is number => at !== undefined);
    await waitFor('the orphaned sends to arrive', () => (recovered().length === orphaned.length ? true : undefined), FAILOVER_GOAL_MS + WAIT_MS).catch(
      () => undefined,
    );
    const recoveredTimes = recovered();
    const withinGoal = recoveredTimes.filter((at) => at - killAt <= FAILOVER_GOAL_MS).length;
    await waitFor('every send to be delivered', async () => ((await statusCounts(db!)).delivered === SENDS ? true : undefined), 60_000).catch(
      () => undefined,
    );
    const statuses = await statusCounts(db);
    const { delivered, duplicates, mixedKeys } = tally(sink);
    const pending = (statuses.queued ?? 0) + (statuses.sending ?? 0);
    const lost = Math.max(0, SENDS - delivered - (statuses.dead ?? 0) - pending);
    recordScenario({
      scenario: 'failover: PostgreSQL, 1 of 3 instances SIGKILLed under load',
      sent: SENDS,
      delivered,
      dead: statuses.dead ?? 0,
      lost,
      duplicates,
      ...(recoveredTimes.length > 0 ? { lastArrivalMs: Math.max(...recoveredTimes) - killAt } : {}),
      note:
        `time to the last arrival counted from the kill, for the ${orphaned.length} sends the killed instance held; ` +
        `${withinGoal} of them arrived within ${FAILOVER_GOAL_MS / 1000} s` +
        (recoveredTimes.length === orphaned.length ? '' : `, ${orphaned.length - recoveredTimes.length} not after ${(FAILOVER_GOAL_MS + WAIT_MS) / 1000} s`) +
        `; outbox at the end: ${JSON.stringify(statuses)}`,
    });

    expect(orphaned.length).toBeGreaterThan(0);
    expect(mixedKeys).toBe(0);
    expect(lost).toBe(0);
    expect(withinGoal).toBe(orphaned.length);
    expect(await countRows(db, `SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'delivered'`)).toBe(0);
    expect(instances.slice(0, 2).every(alive)).toBe(true);
  }, FAILOVER_GOAL_MS + WAIT_MS + 180_000);
}

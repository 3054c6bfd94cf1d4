// A restart on SQLite, as an operator does it: `liquidhook serve` with default settings is
// SIGKILLed while it holds leased sends and started again at once on the same file. Every
// accepted send must arrive within RESTART_GOAL_MS of the restart (counted from when the new
// process listens: the tests run the TypeScript sources, whose start-up time follows the
// machine's load rather than the service), with its first key.
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { spawnServe, type ChildService } from '../../bench/lib/service.js';
import { apiClient, waitFor } from '../e2e/helpers.js';
import { sinkCampaign, startSink, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';
import { accepted, allAccepted, outcome, tally } from './tally.js';

const SENDS = 375;
const PER_REQUEST = 75;
const RESTART_GOAL_MS = 10_000;
/** How long the scenario keeps waiting past the goal, so a miss is measured rather than cut off. */
const WAIT_MS = Number(process.env.RELIABILITY_RESTART_WAIT_MS ?? 30_000);
/** The sink answers after this long, so the service holds many leased sends when it is killed. */
const SINK_DELAY_MS = 100;
const KEY = 'reliability-key-0123456789';

/** Deliveries the killed process left leased (read from the file once nothing holds it). */
function leasedIn(db: string): number {
  const file = new Database(db, { readonly: true });
  try {
    return (file.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'sending'`).get() as { n: number }).n;
  } finally {
    file.close();
  }
}

export function restartScenario(): void {
  let sink: TestSink | undefined;
  let service: ChildService | undefined;
  afterAll(async () => {
    await service?.kill9();
    await sink?.close();
  });

  it(`restart: after kill -9 and an immediate restart on the same SQLite file, all ${SENDS} sends arrive within ${RESTART_GOAL_MS / 1000} s`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-rel-restart-'));
    const db = join(dir, 'liquidhook.db');
    // Default settings: only where the data lives, the API key, and loopback allowed past the SSRF guard.
    const env = {
      LIQUIDHOOK_DB: db,
      LIQUIDHOOK_API_KEY: KEY,
      LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
      LIQUIDHOOK_TEMPLATES_DIR: join(dir, 'no-templates'),
      LOG_LEVEL: 'info',
    };
    sink = await startSink(() => 'ok', 0, SINK_DELAY_MS);
    service = await spawnServe(env);
    let api = apiClient(service.url, KEY);
    expect((await api.call('POST', '/campaigns', sinkCampaign(sink.url))).status).toBe(201);

    for (let start = 0; start < SENDS; start += PER_REQUEST) {
      const attributes = Array.from({ length: PER_REQUEST }, (_, i) => ({ external_id: `restart-${start + i}`, score: 1 }));
      expect((await api.call('POST', '/users/track', { attributes })).status).toBe(201);
    }
    await waitFor('some sends to arrive before the kill', () => (accepted(sink!).size >= SENDS / 6 ? true : undefined), 30_000);
    await service.kill9();
    const arrivedAtKill = accepted(sink).size;
    const leasedAtKill = leasedIn(db);

    const spawnAt = Date.now();
    service = await spawnServe(env);
    const restartAt = Date.now();
    api = apiClient(service.url, KEY);
    const all = await allAccepted(sink, SENDS, RESTART_GOAL_MS + WAIT_MS);
    const late = [...accepted(sink).values()].filter((at) => at > restartAt);
    const within = [...accepted(sink).values()].filter((at) => at - restartAt <= RESTART_GOAL_MS).length;
    const { delivered, duplicates, mixedKeys } = tally(sink);
    const { statuses, pending, lost } = await outcome(api, SENDS, delivered);
    recordScenario({
      scenario: 'restart: SQLite, kill -9 and immediate restart',
      sent: SENDS,
      delivered,
      dead: statuses.dead!,
      lost,
      duplicates,
      ...(late.length > 0 ? { lastArrivalMs: Math.max(...late) - restartAt } : {}),
      note:
        `killed after ${arrivedAtKill} arrivals holding ${leasedAtKill} leased sends; restarted at once, listening ` +
        `${((restartAt - spawnAt) / 1000).toFixed(1)} s later; time to the last arrival counted from then; ` +
        `${within} of ${SENDS} had arrived ${RESTART_GOAL_MS / 1000} s after it` +
        (all ? '' : `; ${((RESTART_GOAL_MS + WAIT_MS) / 1000).toFixed(0)} s after it ${pending} still waiting: ${JSON.stringify(statuses)}`),
    });

    expect(leasedAtKill).toBeGreaterThan(0);
    expect(mixedKeys).toBe(0);
    expect(lost).toBe(0);
    expect(within).toBe(SENDS);
    expect(await service.stop()).toBe(0);
  }, RESTART_GOAL_MS + WAIT_MS + 90_000);
}

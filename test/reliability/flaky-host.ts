// Destinations that answer badly or not at all, against the service as users run it: `liquidhook
// serve` with default settings on loopback. A flaky CRM (half of the first attempts fail with
// 500, 503, 429 + Retry-After or a reset; every retry is accepted) must keep receiving, and a
// CRM that is down for a minute must get only a few probes and everything soon after it returns.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { spawnServe, type ChildService } from '../../bench/lib/service.js';
import { apiClient, type Api } from '../e2e/helpers.js';
import { seededRandom, sinkCampaign, startSink, type Arrival, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';
import { accepted, allAccepted, outcome, tally } from './tally.js';

const SENDS = 300;
const PER_REQUEST = 75;
/** The goal: every send arrives within this long (of the start, or of the destination's return). */
const GOAL_MS = 15_000;
/** How long the scenario keeps waiting past the goal, so a miss is measured rather than cut off. */
const WAIT_MS = Number(process.env.RELIABILITY_FLAKY_WAIT_MS ?? 60_000);
const OUTAGE_MS = Number(process.env.RELIABILITY_OUTAGE_MS ?? 60_000);
/** The default LIQUIDHOOK_MAX_PER_HOST: at most this many requests leave before any answer. */
const DEFAULT_MAX_PER_HOST = 16;
const KEY = 'reliability-key-0123456789';
const FAILURES: Arrival['answer'][] = ['500', '503', '429', 'reset'];

interface Service {
  child: ChildService;
  api: Api;
}

/** Default settings: only where the data lives, the API key, and loopback allowed past the SSRF guard. */
async function startService(): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'lh-rel-flaky-'));
  const child = await spawnServe({
    LIQUIDHOOK_DB: join(dir, 'liquidhook.db'),
    LIQUIDHOOK_API_KEY: KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: join(dir, 'no-templates'),
    LOG_LEVEL: 'info',
  });
  return { child, api: apiClient(child.url, KEY) };
}

async function sendAll(api: Api, prefix: string): Promise<void> {
  for (let start = 0; start < SENDS; start += PER_REQUEST) {
    const attributes = Array.from({ length: PER_REQUEST }, (_, i) => ({ external_id: `${prefix}-${start + i}`, score: 1 }));
    expect((await api.call('POST', '/users/track', { attributes })).status).toBe(201);
  }
}

/** A port nothing listens on (connection refused), where the sink can come back later. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export function flakyHostScenario(): void {
  let sink: TestSink | undefined;
  let service: Service | undefined;
  afterAll(async () => {
    await service?.child.stop();
    await sink?.close();
  });

  it(`flaky host: delivers ${SENDS} sends to a host failing half of the first attempts within ${GOAL_MS / 1000} s, default settings`, async () => {
    const random = seededRandom(Number(process.env.RELIABILITY_SEED ?? 17));
    const seen = new Set<string>();
    sink = await startSink((req) => {
      const key = String(req.headers['idempotency-key']);
      if (seen.has(key)) return 'ok';
      seen.add(key);
      return random() < 0.5 ? FAILURES[Math.floor(random() * FAILURES.length)]! : 'ok';
    });
    service = await startService();
    expect((await service.api.call('POST', '/campaigns', sinkCampaign(sink.url))).status).toBe(201);

    const t0 = Date.now();
    await sendAll(service.api, 'flaky');
    const all = await allAccepted(sink, SENDS, GOAL_MS + WAIT_MS);
    const times = [...accepted(sink).values()];
    const within = (ms: number): number => times.filter((at) => at - t0 <= ms).length;
    const { delivered, duplicates, mixedKeys } = tally(sink);
    const firstFailures = sink.arrivals.filter((a) => a.answer !== 'ok').length;
    const { statuses, pending, lost } = await outcome(service.api, SENDS, delivered);
    recordScenario({
      scenario: 'flaky host: half of first attempts 500/503/429/reset',
      sent: SENDS,
      delivered,
      dead: statuses.dead!,
      lost,
      duplicates,
      lastArrivalMs: Math.max(...times) - t0,
      note:
        `${firstFailures} first attempts failed, ${sink.arrivals.length} requests in all; ` +
        `${within(GOAL_MS)} arrived within ${GOAL_MS / 1000} s` +
        (all ? '' : `; after ${(GOAL_MS + WAIT_MS) / 1000} s ${pending} still waiting: ${JSON.stringify(statuses)}`),
    });

    expect(firstFailures).toBeGreaterThan(SENDS / 4);
    expect(mixedKeys).toBe(0);
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect(within(GOAL_MS)).toBe(SENDS);
  }, GOAL_MS + WAIT_MS + 60_000);
}

export function downHostScenario(): void {
  let sink: TestSink | undefined;
  let service: Service | undefined;
  afterAll(async () => {
    await service?.child.stop();
    await sink?.close();
  });

  it(`down host: probes a host down for ${OUTAGE_MS / 1000} s a few times, and delivers everything within ${GOAL_MS / 1000} s of its return`, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    service = await startService();
    expect((await service.api.call('POST', '/campaigns', sinkCampaign(url))).status).toBe(201);

    const t0 = Date.now();
    await sendAll(service.api, 'down');
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + OUTAGE_MS - Date.now())));
    sink = await startSink(() => 'ok', port);
    const backAt = Date.now();
    const all = await allAccepted(sink, SENDS, GOAL_MS + WAIT_MS);
    const times = [...accepted(sink).values()];
    const within = times.filter((at) => at - backAt <= GOAL_MS).length;
    const { delivered, duplicates, mixedKeys } = tally(sink);

    // Every request that reached the closed port is an attempt in the delivery log (refused).
    const log = (await service.api.call('GET', `/deliveries?limit=${SENDS}`)).json.deliveries as { attempts_log: { at: string }[] }[];
    const outage = log
      .flatMap((d) => d.attempts_log.map((a) => Date.parse(a.at)))
      .filter((at) => at < backAt)
      .sort((a, b) => a - b);
    // The first requests leave together, before any of them is refused; later ones are probes.
    const firstWave = outage.filter((at) => at - outage[0]! < 1000).length;
    const probes = outage.length - firstWave;
    const { statuses, pending, lost } = await outcome(service.api, SENDS, delivered);
    recordScenario({
      scenario: `down host: connection refused for ${OUTAGE_MS / 1000} s`,
      sent: SENDS,
      delivered,
      dead: statuses.dead!,
      lost,
      duplicates,
      lastArrivalMs: times.length > 0 ? Math.max(...times) - backAt : undefined,
      probes,
      note:
        `${outage.length} requests during the outage: ${firstWave} in its first second, then ${probes} probes ` +
        `at ${outage.slice(firstWave).map((at) => `${((at - t0) / 1000).toFixed(1)}`).join(', ') || '-'} s; ` +
        `${within} arrived within ${GOAL_MS / 1000} s of the return` +
        (all ? '' : `; ${(GOAL_MS + WAIT_MS) / 1000} s after the return ${pending} still waiting: ${JSON.stringify(statuses)}`),
    });

    expect(mixedKeys).toBe(0);
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect(firstWave).toBeLessThanOrEqual(DEFAULT_MAX_PER_HOST);
    expect(probes).toBeLessThanOrEqual(6);
    expect(within).toBe(SENDS);
  }, OUTAGE_MS + GOAL_MS + WAIT_MS + 60_000);
}

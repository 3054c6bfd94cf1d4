// Crash: SENDS triggered sends, the service process SIGKILLed at three random points and
// restarted on the same database each time. Nothing may be lost, and a send repeated because it
// was in flight at a kill must carry the same Idempotency-Key as before.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnServe, type ChildService } from '../../bench/lib/service.js';
import { apiClient, waitFor } from '../e2e/helpers.js';
import { seededRandom, sinkCampaign, startSink, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';

/** The target is 10,000; RELIABILITY_CRASH_SENDS lowers it on slow machines. */
const SENDS = Number(process.env.RELIABILITY_CRASH_SENDS ?? 10_000);
const KILLS = 3;
const PER_REQUEST = 75;
const KEY = 'reliability-key-0123456789';

export function crashScenario(): void {
  let sink: TestSink;
  let service: ChildService | undefined;
  const db = join(mkdtempSync(join(tmpdir(), 'lh-rel-crash-')), 'liquidhook.db');
  const env = {
    LIQUIDHOOK_DB: db,
    LIQUIDHOOK_API_KEY: KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir',
    LIQUIDHOOK_POLL_MS: '100',
    // A short lease so a restarted process takes over the killed one's claims quickly.
    LIQUIDHOOK_LEASE_MS: '2000',
    LIQUIDHOOK_WEBHOOK_TIMEOUT_MS: '1500',
    LIQUIDHOOK_WORKER_CONCURRENCY: '64',
    LIQUIDHOOK_MAX_PER_HOST: '64',
    LOG_LEVEL: 'info',
  };

  beforeAll(async () => {
    sink = await startSink();
  });
  afterAll(async () => {
    await service?.kill9();
    await sink?.close();
  });

  it(`delivers all ${SENDS} sends through ${KILLS} SIGKILLs, repeats under the same key`, async () => {
    const random = seededRandom(Number(process.env.RELIABILITY_SEED ?? 20240601));
    service = await spawnServe(env);
    let api = apiClient(service.url, KEY);
    expect((await api.call('POST', '/campaigns', sinkCampaign(sink.url))).status).toBe(201);

    const requests = Math.ceil(SENDS / PER_REQUEST);
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < requests) {
          const start = next++ * PER_REQUEST;
          const attributes = Array.from({ length: Math.min(PER_REQUEST, SENDS - start) }, (_, i) => ({ external_id: `crash-${start + i}`, score: 1 }));
          const res = await api.call('POST', '/users/track', { attributes });
          expect(res.status).toBe(201);
        }
      }),
    );

    const distinct = (): number => new Set(sink.arrivals.map((a) => a.recipient)).size;
    // Kill points spread over the run: random, increasing, at least 5% apart.
    const points = Array.from({ length: KILLS }, (_, k) => Math.floor(SENDS * (0.1 + 0.25 * k + random() * 0.2)));
    const killedAt: number[] = [];
    for (const point of points) {
      await waitFor(`${point} sends before a kill`, () => (distinct() >= point ? true : undefined), 120_000).catch((error: Error) => {
        throw new Error(`${error.message} (${distinct()} arrived); service output:\n${service!.output().slice(-3000)}`);
      });
      await service.kill9();
      killedAt.push(distinct());
      service = await spawnServe(env);
      api = apiClient(service.url, KEY);
    }
    await waitFor('every send to arrive', () => (distinct() >= SENDS ? true : undefined), 180_000);
    for (const status of ['queued', 'sending']) {
      await waitFor(`no ${status} deliveries left`, async () => {
        const res = await api.call('GET', `/deliveries?status=${status}&limit=1`);
        return res.json.deliveries.length === 0 ? true : undefined;
      });
    }
    for (const status of ['failed', 'dead', 'aborted']) {
      expect((await api.call('GET', `/deliveries?status=${status}&limit=1`)).json.deliveries).toEqual([]);
    }

    const keysByRecipient = new Map<string, Set<string>>();
    for (const a of sink.arrivals) keysByRecipient.set(a.recipient, (keysByRecipient.get(a.recipient) ?? new Set()).add(a.key));
    const mixedKeys = [...keysByRecipient].filter(([, keys]) => keys.size !== 1);
    const duplicates = sink.arrivals.length - keysByRecipient.size;
    const lost = SENDS - keysByRecipient.size;
    recordScenario({
      scenario: `crash: ${KILLS} x SIGKILL`,
      sent: SENDS,
      delivered: keysByRecipient.size,
      dead: 0,
      lost,
      duplicates,
      note: `killed after ${killedAt.join(', ')} distinct arrivals; every repeat carried the first key: ${mixedKeys.length === 0}`,
    });
    expect(lost).toBe(0);
    expect(mixedKeys).toEqual([]);
    expect(await service.stop()).toBe(0);
  }, 230_000);
}

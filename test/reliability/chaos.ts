// Chaos sink on loopback: 30% HTTP 500, 10% 429 with Retry-After, 10% hangs past the timeout,
// 5% connection resets, the rest 200. Every send must end delivered or dead with its reason,
// and no attempt may follow a 429 sooner than its Retry-After.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../e2e/helpers.js';
import { startPipeline, type Pipeline } from './harness.js';
import { RETRY_AFTER_SECONDS, seededRandom, sinkCampaign, startSink, type Arrival, type TestSink } from './sinks.js';
import { recordScenario } from './summary.js';

const SENDS = 200;

export function chaosScenario(): void {
  let sink: TestSink;
  let service: Pipeline;
  const random = seededRandom(Number(process.env.RELIABILITY_SEED ?? 7));
  const choose = (): Arrival['answer'] => {
    const r = random();
    return r < 0.3 ? '500' : r < 0.4 ? '429' : r < 0.5 ? 'hang' : r < 0.55 ? 'reset' : 'ok';
  };

  beforeAll(async () => {
    sink = await startSink(choose);
    // Short windows so every send reaches its end within seconds: 300 ms per attempt, 4 s of
    // retries, backoff from 200 ms, and a breaker that reopens for probes after 200 ms.
    service = await startPipeline({
      timeoutMs: 300,
      retry: { baseDelayMs: 400, minDelayMs: 200, maxDelayMs: 2000, giveUpAfterMs: 4000, unreachableGiveUpAfterMs: 4000 },
      breakerOpenMs: 200,
    });
  });
  afterAll(async () => {
    await service?.close();
    await sink?.close();
  });

  it(`ends each of ${SENDS} sends delivered or dead with a reason, honouring Retry-After`, async () => {
    expect((await service.catalog.put('chaos', sinkCampaign(sink.url))).ready).toBe(true);
    for (let start = 0; start < SENDS; start += 50) {
      const attributes = Array.from({ length: 50 }, (_, i) => ({ external_id: `chaos-${start + i}`, score: 1 }));
      expect(await service.track({ attributes })).toBe(50);
    }
    const all = () => service.store.listDeliveries({ limit: 1000 });
    const finished = await waitFor(
      'every send to finish',
      async () => {
        const list = await all();
        return list.length === SENDS && list.every((d) => d.status !== 'queued' && d.status !== 'sending') ? list : undefined;
      },
      60_000,
    );

    const byStatus = (s: string) => finished.filter((d) => d.status === s);
    const delivered = byStatus('delivered');
    const dead = byStatus('dead');
    // Everything retryable here: nothing may end `failed` (permanent) or `aborted`.
    expect(finished.filter((d) => d.status !== 'delivered' && d.status !== 'dead')).toEqual([]);
    for (const d of dead) expect(d.lastError, `dead delivery ${d.id} has a reason`).toMatch(/\S/);
    for (const d of delivered) {
      const full = await service.store.getDelivery(d.id);
      expect(full!.attempts_log.at(-1)!.statusCode).toBe(200);
    }

    // Retry-After, as the worker saw it: after an attempt it recorded as 429, the next attempt
    // starts no earlier than the response plus the wait the server asked for. (A 429 the sink sent
    // after the client's timeout reached nobody, so only recorded attempts count.)
    const early: string[] = [];
    let after429 = 0;
    for (const d of finished) {
      const log = (await service.store.getDelivery(d.id))!.attempts_log;
      log.forEach((a, i) => {
        const next = log[i + 1];
        if (a.statusCode !== 429 || !next) return;
        after429++;
        const answeredAt = Date.parse(a.at) + a.latencyMs;
        // Stored times have millisecond resolution and latency is rounded: 2 ms of slack.
        const waited = Date.parse(next.at) - answeredAt;
        if (waited < RETRY_AFTER_SECONDS * 1000 - 2) early.push(`${d.id}: next attempt ${waited} ms after the 429`);
      });
    }
    expect(early).toEqual([]);
    const byKey = new Map<string, Arrival[]>();
    for (const a of sink.arrivals) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a]);
    expect(after429).toBeGreaterThan(0);
    const answers = sink.arrivals.map((a) => a.answer);
    for (const kind of ['500', '429', 'hang', 'reset', 'ok'] as const) expect(answers).toContain(kind);
    // Every attempt of one delivery carries its key, and no two recipients share a key.
    // (A send the breaker held back for its whole window dies without reaching the sink.)
    for (const arrivals of byKey.values()) expect(new Set(arrivals.map((a) => a.recipient)).size).toBe(1);
    const keysPerRecipient = new Map<string, Set<string>>();
    for (const a of sink.arrivals) keysPerRecipient.set(a.recipient, (keysPerRecipient.get(a.recipient) ?? new Set()).add(a.key));
    expect([...keysPerRecipient.values()].filter((k) => k.size !== 1)).toEqual([]);

    const okKeys = new Set(sink.arrivals.filter((a) => a.answer === 'ok').map((a) => a.key));
    recordScenario({
      scenario: 'chaos sink (500/429/hang/reset)',
      sent: SENDS,
      delivered: delivered.length,
      dead: dead.length,
      lost: SENDS - delivered.length - dead.length,
      duplicates: sink.arrivals.filter((a) => a.answer === 'ok').length - okKeys.size,
      note: `${sink.arrivals.length} attempts; ${after429} retries after a 429, none earlier than Retry-After: ${RETRY_AFTER_SECONDS} s; dead reasons e.g. "${dead[0]?.lastError ?? '-'}"`,
    });
  }, 90_000);
}

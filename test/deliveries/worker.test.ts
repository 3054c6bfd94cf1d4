import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeliveryWorker, type DeliveryWorker } from '../../src/deliveries/worker.js';
import type { PreparedSend, WorkerPorts } from '../../src/deliveries/types.js';
import { RetryPolicySchema } from '../../src/dispatch/retry-policy.js';
import type { AttemptResult, WebhookRequest } from '../../src/dispatch/types.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Attributes, SendPlanner } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';

const silent = pino({ level: 'silent' });
const everyScoreChange: SendPlanner = (activity) =>
  activity.changes.some((c) => c.attribute === 'score') ? [{ campaignId: 'c1', externalId: activity.externalId, trigger: {} }] : [];

function response(status: number, extra: Partial<AttemptResult> = {}): AttemptResult {
  return { ok: status >= 200 && status < 300, status, headers: {}, responseBody: '', responseTruncated: false, latencyMs: 1, startedAt: Date.now(), ...extra };
}

async function enqueue(store: Store, users: Record<string, number>): Promise<void> {
  const attributes = Object.entries(users).map(([externalId, score]) => ({ externalId, ops: { score: { op: 'set' as const, value: score } } }));
  await store.applyTrack({ attributes, events: [], purchases: [] }, everyScoreChange);
}

/** A send answering 204 after 5 ms that counts the sends, and the most in flight at once. */
function slowSink() {
  let active = 0;
  const sink = {
    sends: 0,
    mostActive: 0,
    async send(): Promise<AttemptResult> {
      sink.sends++;
      sink.mostActive = Math.max(sink.mostActive, ++active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      return response(204);
    },
  };
  return sink;
}

interface Harness {
  store: Store;
  worker: DeliveryWorker;
  sent: WebhookRequest[];
}

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) {
    await h.worker.stop(1000);
    await h.store.close();
  }
});

function harness(overrides: Partial<WorkerPorts> & { respond?: (req: WebhookRequest) => AttemptResult } = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'lh-worker-'));
  const store = openSqliteStore({ path: join(dir, 'db.sqlite') });
  const sent: WebhookRequest[] = [];
  const prepare = async (_d: unknown, profile: { attributes: Attributes } | undefined): Promise<PreparedSend> => {
    const score = Number(profile?.attributes.score ?? 0);
    if (score <= 100) return { kind: 'aborted', reason: 'not at threshold' };
    return { kind: 'send', request: { url: 'http://127.0.0.1:1/x', method: 'POST', body: String(score), idempotencyKey: 'overwritten' }, log: { body: String(score) } };
  };
  const ports: WorkerPorts = {
    store,
    prepare,
    send: async (req) => {
      sent.push(req);
      return (overrides.respond ?? (() => response(204)))(req);
    },
    deliveredUpdate: (d) => ({ attributes: [{ externalId: d.externalId, ops: { lead_status: { op: 'set', value: 'MQL' } } }], events: [], purchases: [] }),
    planner: () => everyScoreChange,
    retryPolicy: RetryPolicySchema.parse({ baseDelayMs: 10, minDelayMs: 10, maxDelayMs: 20, giveUpAfterMs: 60_000 }),
    logger: silent,
    ...overrides,
  };
  const worker = createDeliveryWorker(ports, { owner: 'test', batchSize: 10, concurrency: 8, pollMs: 50, leaseMs: 60_000 });
  const h = { store, worker, sent };
  running.push(h);
  return h;
}

describe('delivery worker', () => {
  it('sends due deliveries with their idempotency key and records delivered', async () => {
    const h = harness();
    await enqueue(h.store, { u1: 150, u2: 200 });
    h.worker.start();
    await h.worker.idle();
    const deliveries = await h.store.listDeliveries({});
    expect(deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(h.sent.map((r) => r.idempotencyKey).sort()).toEqual(deliveries.map((d) => d.idempotencyKey).sort());
    const detail = await h.store.getDelivery(deliveries[0]!.id);
    expect(detail?.attempts_log).toHaveLength(1);
    expect(detail?.attempts_log[0]?.statusCode).toBe(204);
  });

  it('takes new deliveries from applyTrack up to twice its slots, sends them without a claim round, and frees cancelled slots', async () => {
    const claims: number[] = [];
    const sink = slowSink();
    const h = harness({ send: sink.send });
    const claimDeliveries = h.store.claimDeliveries.bind(h.store);
    h.store.claimDeliveries = async (...args) => {
      const claimed = await claimDeliveries(...args);
      claims.push(claimed.length);
      return claimed;
    };
    h.worker.start();
    // A failed write gives its reservations back.
    const failed = h.worker.handOff();
    expect(Array.from({ length: 16 }, () => failed.claim.reserve())).toEqual(Array(16).fill(true));
    expect(failed.claim.reserve()).toBe(false);
    failed.cancel();

    const handOff = h.worker.handOff();
    const attributes = Array.from({ length: 20 }, (_, i) => ({ externalId: `u${i}`, ops: { score: { op: 'set' as const, value: 150 + i } } }));
    const { deliveries } = await h.store.applyTrack({ attributes, events: [], purchases: [] }, everyScoreChange, { claimNew: handOff.claim });
    // Concurrency 8: sixteen are written leased to the worker (eight wait for a slot), four queued.
    expect(deliveries.filter((d) => d.status === 'sending')).toHaveLength(16);
    handOff.adopt(deliveries);
    await h.worker.idle();
    expect((await h.store.listDeliveries({})).every((d) => d.status === 'delivered')).toBe(true);
    expect(sink.sends).toBe(20);
    expect(sink.mostActive).toBe(8);
    // Only the four queued ones went through a claim.
    expect(claims.reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('keeps to its slots when a hand-off fills them while a claim round commits', async () => {
    const sink = slowSink();
    const h = harness({ send: sink.send });
    await enqueue(h.store, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`queued${i}`, 150 + i])));
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const claimDeliveries = h.store.claimDeliveries.bind(h.store);
    h.store.claimDeliveries = async (...args) => {
      const claimed = await claimDeliveries(...args);
      await gate;
      return claimed;
    };
    h.worker.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The claim holds its eight; a hand-off meanwhile fills the eight slots and waits with more.
    const handOff = h.worker.handOff();
    const attributes = Array.from({ length: 8 }, (_, i) => ({ externalId: `new${i}`, ops: { score: { op: 'set' as const, value: 150 + i } } }));
    const { deliveries } = await h.store.applyTrack({ attributes, events: [], purchases: [] }, everyScoreChange, { claimNew: handOff.claim });
    handOff.adopt(deliveries);
    openGate();
    await h.worker.idle();
    expect((await h.store.listDeliveries({})).filter((d) => d.status === 'delivered')).toHaveLength(16);
    expect(sink.mostActive).toBe(8);
  });

  it('gives deliveries still waiting for a slot back when it stops', async () => {
    const h = harness({ send: () => new Promise<AttemptResult>((resolve) => setTimeout(() => resolve(response(204)), 50)) });
    h.worker.start();
    const handOff = h.worker.handOff();
    const attributes = Array.from({ length: 12 }, (_, i) => ({ externalId: `u${i}`, ops: { score: { op: 'set' as const, value: 150 + i } } }));
    const { deliveries } = await h.store.applyTrack({ attributes, events: [], purchases: [] }, everyScoreChange, { claimNew: handOff.claim });
    handOff.adopt(deliveries);
    await h.worker.stop(1000);
    const stored = await h.store.listDeliveries({});
    // Eight were sending and finished in the grace period; four never started and are queued again.
    expect(stored.filter((d) => d.status === 'delivered')).toHaveLength(8);
    expect(stored.filter((d) => d.status === 'queued')).toHaveLength(4);
    expect(stored.filter((d) => d.status === 'queued').every((d) => d.attempts === 0)).toBe(true);
  });

  it('reports each committed outcome once (metrics), after it is recorded', async () => {
    const reported: { id: string; status: string }[] = [];
    const h = harness({
      onRecorded: (outcomes) => {
        for (const o of outcomes) reported.push({ id: o.id, status: o.status });
      },
    });
    await enqueue(h.store, { u1: 150, low: 50 });
    h.worker.start();
    await h.worker.idle();
    const stored = await h.store.listDeliveries({});
    expect(reported.map((r) => r.status).sort()).toEqual(['aborted', 'delivered']);
    expect(reported.map((r) => r.id).sort()).toEqual(stored.map((d) => d.id).sort());
  });

  it('applies the on-delivered update to the profile', async () => {
    const h = harness();
    await enqueue(h.store, { u1: 150 });
    h.worker.start();
    await h.worker.idle();
    expect((await h.store.getProfile('u1'))?.attributes.lead_status).toBe('MQL');
  });

  it('records delivered even when the profile refuses the on-delivered update', async () => {
    const h = harness({
      deliveredUpdate: (d) => ({ attributes: [{ externalId: d.externalId, ops: { score: { op: 'add', values: ['x'] } } }], events: [], purchases: [] }),
    });
    await enqueue(h.store, { u1: 150, u2: 160 });
    h.worker.start();
    await h.worker.idle();
    expect((await h.store.listDeliveries({})).map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(h.sent).toHaveLength(2);
  });

  it('records an abort with its reason and sends nothing', async () => {
    const h = harness();
    await enqueue(h.store, { low: 50 });
    h.worker.start();
    await h.worker.idle();
    const [delivery] = await h.store.listDeliveries({});
    expect(delivery?.status).toBe('aborted');
    expect(delivery?.abortReason).toBe('not at threshold');
    expect(h.sent).toHaveLength(0);
  });

  it('retries a 503 with the same key, then delivers', async () => {
    let calls = 0;
    const h = harness({ respond: () => response(++calls === 1 ? 503 : 200) });
    await enqueue(h.store, { u1: 150 });
    h.worker.start();
    await h.worker.idle();
    // The retry is scheduled a few ms out; wait for it through the worker's own sleep.
    for (let i = 0; i < 100 && (await h.store.listDeliveries({}))[0]?.status !== 'delivered'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const [delivery] = await h.store.listDeliveries({});
    expect(delivery?.status).toBe('delivered');
    expect(h.sent).toHaveLength(2);
    expect(h.sent[0]?.idempotencyKey).toBe(h.sent[1]?.idempotencyKey);
    expect((await h.store.getDelivery(delivery!.id))?.attempts_log.map((a) => a.statusCode)).toEqual([503, 200]);
  });

  it('fails a 400 without retrying', async () => {
    const h = harness({ respond: () => response(400, { responseBody: 'bad' }) });
    await enqueue(h.store, { u1: 150 });
    h.worker.start();
    await h.worker.idle();
    const [delivery] = await h.store.listDeliveries({});
    expect(delivery?.status).toBe('failed');
    expect(delivery?.lastError).toContain('400');
    expect(h.sent).toHaveLength(1);
  });

  it('turns a render exception into a failed delivery', async () => {
    const h = harness({ prepare: async () => { throw new Error('template exploded'); } });
    await enqueue(h.store, { u1: 150 });
    h.worker.start();
    await h.worker.idle();
    const [delivery] = await h.store.listDeliveries({});
    expect(delivery?.status).toBe('failed');
    expect(delivery?.lastError).toContain('template exploded');
  });

  it('groups outcomes of many sends into few commits and wakes on new work', async () => {
    const h = harness();
    h.worker.start();
    await h.worker.idle();
    await enqueue(h.store, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`u${i}`, 150])));
    h.worker.wake();
    await h.worker.idle();
    const stats = h.worker.stats();
    expect(stats.delivered).toBe(40);
    expect(stats.commits).toBeLessThan(40);
    expect(new Set(h.sent.map((r) => r.idempotencyKey)).size).toBe(40);
  });

  it('releases sends still in flight at shutdown so they are claimed again', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = harness({ send: async () => { await gate; return response(204); } });
    await enqueue(h.store, { u1: 150 });
    h.worker.start();
    for (let i = 0; i < 100 && h.worker.stats().inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await h.worker.stop(20);
    const [delivery] = await h.store.listDeliveries({});
    expect(delivery?.status).toBe('queued');
    release();
  });
});

describe('delivery worker leases', () => {
  it('does not start a second send when its own claim outlives the lease', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-worker-'));
    const store = openSqliteStore({ path: join(dir, 'db.sqlite') });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sent: WebhookRequest[] = [];
    const worker = createDeliveryWorker(
      {
        store,
        prepare: async () => ({ kind: 'send', request: { url: 'http://127.0.0.1:1/x', idempotencyKey: 'k' }, log: {} }),
        send: async (req) => {
          sent.push(req);
          await gate;
          return response(204);
        },
        deliveredUpdate: () => undefined,
        planner: () => everyScoreChange,
        retryPolicy: RetryPolicySchema.parse({}),
        logger: silent,
      },
      // A lease far shorter than the send: the row is claimable again while still in flight.
      { owner: 'solo', batchSize: 10, concurrency: 8, pollMs: 10, leaseMs: 20 },
    );
    try {
      await enqueue(store, { u1: 150 });
      worker.start();
      for (let i = 0; i < 30; i++) await new Promise((r) => setTimeout(r, 10));
      expect(sent).toHaveLength(1);
      release();
      await worker.idle();
      expect((await store.listDeliveries({}))[0]?.status).toBe('delivered');
      expect(sent).toHaveLength(1);
    } finally {
      release();
      await worker.stop(1000);
      await store.close();
    }
  });

  it('renews the leases of its sends in flight, so another worker does not take them over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-worker-'));
    const store = openSqliteStore({ path: join(dir, 'db.sqlite') });
    const other = openSqliteStore({ path: join(dir, 'db.sqlite') });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sentBy: Record<string, number> = { slow: 0, other: 0 };
    const worker = (owner: string, db: Store, hold: boolean) =>
      createDeliveryWorker(
        {
          store: db,
          prepare: async () => ({ kind: 'send', request: { url: 'http://127.0.0.1:1/x', idempotencyKey: 'k' }, log: {} }),
          send: async () => {
            sentBy[owner]!++;
            if (hold) await gate;
            return response(204);
          },
          deliveredUpdate: () => undefined,
          planner: () => everyScoreChange,
          retryPolicy: RetryPolicySchema.parse({}),
          logger: silent,
        },
        // The send lasts several leases; only renewal keeps it with its first worker.
        { owner, batchSize: 10, concurrency: 8, pollMs: 10, leaseMs: 90 },
      );
    const slow = worker('slow', store, true);
    const late = worker('other', other, false);
    try {
      await enqueue(store, { u1: 150 });
      slow.start();
      while (sentBy.slow === 0) await new Promise((r) => setTimeout(r, 5));
      late.start();
      for (let i = 0; i < 30; i++) await new Promise((r) => setTimeout(r, 10));
      expect(sentBy.other).toBe(0);
      release();
      await slow.idle();
      expect((await store.listDeliveries({}))[0]?.status).toBe('delivered');
      expect(sentBy).toEqual({ slow: 1, other: 0 });
    } finally {
      release();
      await late.stop(1000);
      await slow.stop(1000);
      await other.close();
      await store.close();
    }
  });
});

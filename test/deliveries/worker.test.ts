import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeliveryWorker, createSendPort, WorkerInvariantError, type DeliveryWorker, type SendPort, type WorkerPorts } from '../../src/deliveries/index.js';
import { createDispatcher } from '../../src/dispatch/index.js';
import { RetryPolicySchema } from '../../src/dispatch/retry-policy.js';
import { createLiquid } from '../../src/liquid/index.js';
import { parseCampaign } from '../../src/triggers/index.js';
import type { AttemptResult, WebhookRequest } from '../../src/dispatch/types.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Attributes, DeliveryOutcome } from '../../src/domain/index.js';
import { createIntake } from '../../src/intake/index.js';
import type { Store } from '../../src/store/index.js';
import { sendOnce } from '../store/contract-helpers.js';
import { leasedDelivery as leased } from './fixtures.js';

const silent = pino({ level: 'silent' });
/** Campaign c1 sends on every change of the score. */
const everyScoreChange = sendOnce('c1', 'score');

/** The intake of a worker's store: it hands new deliveries to the worker as it writes them. */
function intakeFor(store: Store, worker: DeliveryWorker) {
  const intake = createIntake({ store, campaigns: { campaignEntries: () => everyScoreChange.campaigns } });
  intake.connectWorker(worker);
  return intake;
}

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

/**
 * A send port standing in for rendering: profiles scoring 100 or less abort, others go out
 * through `send` with the delivery's idempotency key.
 */
function scoreSender(send: (request: WebhookRequest) => Promise<AttemptResult>): SendPort {
  return {
    async send(delivery, profile) {
      const score = Number(profile?.attributes.score ?? 0);
      if (score <= 100) return { kind: 'aborted', reason: 'not at threshold' };
      const request = { url: 'http://127.0.0.1:1/x', method: 'POST' as const, body: String(score), idempotencyKey: delivery.idempotencyKey };
      return { kind: 'attempted', log: { body: String(score) }, result: await send(request) };
    },
  };
}

interface HarnessOptions extends Partial<WorkerPorts> {
  respond?: (req: WebhookRequest) => AttemptResult;
  /** The HTTP attempt (default: record the request and answer with `respond`). */
  send?: (req: WebhookRequest) => Promise<AttemptResult>;
}

function harness(overrides: HarnessOptions = {}): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'lh-worker-'));
  const store = openSqliteStore({ path: join(dir, 'db.sqlite') });
  const sent: WebhookRequest[] = [];
  const record = async (req: WebhookRequest): Promise<AttemptResult> => {
    sent.push(req);
    return (overrides.respond ?? (() => response(204)))(req);
  };
  const ports: WorkerPorts = {
    store,
    sender: scoreSender(overrides.send ?? record),
    deliveredUpdate: (d) => ({ attributes: [{ externalId: d.externalId, ops: { lead_status: { op: 'set', value: 'MQL' } } }], events: [], purchases: [] }),
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

    const attributes = Array.from({ length: 20 }, (_, i) => ({ externalId: `u${i}`, ops: { score: { op: 'set' as const, value: 150 + i } } }));
    const { deliveries } = await intakeFor(h.store, h.worker).track({ attributes, events: [], purchases: [] });
    // Concurrency 8: sixteen are written leased to the worker (eight wait for a slot), four queued.
    expect(deliveries.filter((d) => d.status === 'sending')).toHaveLength(16);
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
    const attributes = Array.from({ length: 8 }, (_, i) => ({ externalId: `new${i}`, ops: { score: { op: 'set' as const, value: 150 + i } } }));
    await intakeFor(h.store, h.worker).track({ attributes, events: [], purchases: [] });
    openGate();
    await h.worker.idle();
    expect((await h.store.listDeliveries({})).filter((d) => d.status === 'delivered')).toHaveLength(16);
    expect(sink.mostActive).toBe(8);
  });

  it('gives deliveries still waiting for a slot back when it stops', async () => {
    const h = harness({ send: () => new Promise<AttemptResult>((resolve) => setTimeout(() => resolve(response(204)), 50)) });
    h.worker.start();
    const attributes = Array.from({ length: 12 }, (_, i) => ({ externalId: `u${i}`, ops: { score: { op: 'set' as const, value: 150 + i } } }));
    await intakeFor(h.store, h.worker).track({ attributes, events: [], purchases: [] });
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

  it('gives every outcome that is not a success its failure code', async () => {
    const outcomes: DeliveryOutcome[] = [];
    const h = harness({
      respond: (req) => response(Number(req.body) === 150 ? 400 : 503),
      onRecorded: (recorded) => void outcomes.push(...recorded),
    });
    await enqueue(h.store, { u1: 150, u2: 160, low: 50 });
    h.worker.start();
    await h.worker.idle();
    const byStatus = Object.fromEntries(outcomes.map((o) => [o.status, o]));
    expect(byStatus.failed).toMatchObject({ code: 'http_status', error: 'HTTP 400' });
    expect(byStatus.retry).toMatchObject({ code: 'http_status', error: 'HTTP 503' });
    expect(byStatus.aborted).not.toHaveProperty('code');
  });

  it('records the code from the real send path: an address the SSRF guard blocks fails as ssrf_blocked', async () => {
    const outcomes: DeliveryOutcome[] = [];
    const campaign = parseCampaign({ name: 'local', trigger: { type: 'email_address_added' }, webhook: { url: 'http://127.0.0.1:9/hook', method: 'POST' } });
    const dispatcher = createDispatcher({ allowedHosts: '' });
    const active = { id: 'c1', campaign, webhook: campaign.webhook, secrets: [], ready: true, missing: [], stored: { createdAt: '', updatedAt: '' } };
    const h = harness({
      sender: createSendPort({ engine: createLiquid(), dispatcher, campaigns: { get: () => active }, signingSecrets: {} }),
      onRecorded: (recorded) => void outcomes.push(...recorded),
    });
    try {
      await enqueue(h.store, { u1: 150 });
      h.worker.start();
      await h.worker.idle();
      expect(outcomes).toEqual([expect.objectContaining({ status: 'failed', code: 'ssrf_blocked', error: expect.stringContaining('ssrf_blocked') })]);
      expect((await h.store.listDeliveries({}))[0]?.status).toBe('failed');
    } finally {
      await dispatcher.close();
    }
  });

  it('turns a render exception into a failed delivery', async () => {
    const h = harness({ sender: { send: async () => { throw new Error('template exploded'); } } });
    await enqueue(h.store, { u1: 150 });
    h.worker.start();
    await h.worker.idle();
    const [delivery] = await h.store.listDeliveries({});
    expect(delivery?.status).toBe('failed');
    expect(delivery?.lastError).toContain('template exploded');
    expect(h.worker.stats().failed).toBe(1);
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
        sender: scoreSender(async (req) => {
          sent.push(req);
          await gate;
          return response(204);
        }),
        deliveredUpdate: () => undefined,
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
          sender: scoreSender(async () => {
            sentBy[owner]!++;
            if (hold) await gate;
            return response(204);
          }),
          deliveredUpdate: () => undefined,
          retryPolicy: RetryPolicySchema.parse({}),
          logger: silent,
        },
        // The send lasts three leases; only renewal keeps it with its first worker (a lease of a few
        // hundred ms, so a loaded machine stalling the event loop does not let it lapse).
        { owner, batchSize: 10, concurrency: 8, pollMs: 10, leaseMs: 300 },
      );
    const slow = worker('slow', store, true);
    const late = worker('other', other, false);
    try {
      await enqueue(store, { u1: 150 });
      slow.start();
      while (sentBy.slow === 0) await new Promise((r) => setTimeout(r, 5));
      late.start();
      for (let i = 0; i < 90; i++) await new Promise((r) => setTimeout(r, 10));
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

describe('delivery worker invariants', () => {
  it('refuses a hand-off that adopts deliveries it did not reserve', () => {
    const h = harness();
    h.worker.start();
    const handOff = h.worker.handOff();
    expect(handOff.claim.reserve()).toBe(true);
    expect(() => handOff.adopt([leased('a'), leased('b')])).toThrow(WorkerInvariantError);
    expect(() => h.worker.handOff().adopt([leased('c')])).toThrow(/a hand-off adopts only the deliveries it reserved/);
  });

  it('refuses to take a delivery it already holds', async () => {
    const sink = slowSink();
    const h = harness({ send: sink.send });
    h.worker.start();
    const first = h.worker.handOff();
    const attributes = [{ externalId: 'u1', ops: { score: { op: 'set' as const, value: 150 } } }];
    expect(first.claim.reserve()).toBe(true);
    const lease = { owner: first.claim.owner, leaseMs: first.claim.leaseMs, count: 1 };
    const { deliveries } = await h.store.applyTrack({ attributes, events: [], purchases: [] }, everyScoreChange, { lease });
    first.adopt(deliveries);
    const again = h.worker.handOff();
    expect(again.claim.reserve()).toBe(true);
    expect(() => again.adopt(deliveries)).toThrow(/a delivery is in exactly one state/);
    await h.worker.idle();
    expect(sink.sends).toBe(1);
  });

  it('has nothing sending after stop, and sends nothing it is handed afterwards', async () => {
    const h = harness({ send: () => new Promise<AttemptResult>((resolve) => setTimeout(() => resolve(response(204)), 200)) });
    await enqueue(h.store, { u1: 150, u2: 160 });
    h.worker.start();
    for (let i = 0; i < 100 && h.worker.stats().inFlight < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await h.worker.stop(10);
    expect(h.worker.stats().inFlight).toBe(0);
    const late = h.worker.handOff();
    expect(late.claim.reserve()).toBe(false);
    await new Promise((r) => setTimeout(r, 250));
    expect((await h.store.listDeliveries({})).map((d) => d.status)).toEqual(['queued', 'queued']);
  });
});

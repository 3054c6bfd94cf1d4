// The outbox worker. It claims due deliveries under a lease, sends many at once, and commits their
// outcomes in groups. A crash loses nothing: unrecorded claims come back when their lease expires,
// and the receiver sees the same Idempotency-Key again.
//
// One table holds every delivery leased to this worker and its state (delivery-table.ts); around
// it: slots and backlog (slots.ts), the claim loop (claim-loop.ts), the outcome committer
// (committer.ts) and the lease keeper (lease-keeper.ts).
import type { Delivery, DeliveryOutcome } from '../domain/index.js';
import { isStoreUnavailable, type NewDeliveryClaim } from '../store/index.js';
import { databaseAway, messageOf } from './attempt.js';
import { createClaimLoop } from './claim-loop.js';
import { OutcomeCommitter } from './committer.js';
import { DeliveryTable } from './delivery-table.js';
import { invariant } from './invariants.js';
import { createLeaseKeeper } from './lease-keeper.js';
import { outcomeOf, type Settled } from './outcome.js';
import { createProfileLoader } from './profile-loader.js';
import type { Attempted } from './send-stages.js';
import { Slots } from './slots.js';
import type { WorkerOptions, WorkerPorts, WorkerStats } from './types.js';

export interface DeliveryWorker {
  start(): void;
  /** Ask for a claim round now (new deliveries were enqueued). */
  wake(): void;
  /** Takes new deliveries as an applyTrack writes them, while this worker has room. */
  handOff(): DeliveryHandOff;
  /** Stop claiming, wait up to `graceMs` for sends in flight, release the rest, flush outcomes. */
  stop(graceMs: number): Promise<void>;
  /** Resolves once nothing is due, in flight or waiting to be committed (tests, CLI one-shots). */
  idle(): Promise<void>;
  stats(): WorkerStats;
}

/** One applyTrack's hand-off: pass `claim` as its `claimNew`, then `adopt` or `cancel`. */
export interface DeliveryHandOff {
  claim: NewDeliveryClaim;
  /** After the commit: sends the deliveries leased to this worker, wakes it for queued ones. */
  adopt(deliveries: Delivery[]): void;
  /** The write failed: frees the reserved slots. */
  cancel(): void;
}

type Phase = 'new' | 'running' | 'stopping' | 'stopped';

export function createDeliveryWorker(ports: WorkerPorts, options: WorkerOptions): DeliveryWorker {
  const now = ports.now ?? (() => new Date());
  const log = ports.logger;
  const stats: Omit<WorkerStats, 'inFlight'> = { claimed: 0, delivered: 0, retried: 0, failed: 0, dead: 0, aborted: 0, commits: 0 };
  let phase: Phase = 'new';
  let stopping: Promise<void> | undefined;
  let idleWaiters: (() => void)[] = [];
  // Claim again once this many slots are free: fewer, larger claim transactions.
  const refillAt = Math.max(1, Math.floor(Math.min(options.batchSize, options.concurrency) / 2));
  const loadProfile = createProfileLoader(ports.store);
  const table = new DeliveryTable(options.concurrency);
  const slots = new Slots(table, options.concurrency, send);
  const { owner, leaseMs } = options;
  const committer = new OutcomeCommitter({ store: ports.store, owner, batchSize: options.batchSize, now, logger: log, committed });
  const leases = createLeaseKeeper({ store: ports.store, owner, leaseMs, now, logger: log, held: () => table.ids() });
  const loop = createClaimLoop({
    store: ports.store,
    options,
    table,
    slots,
    now,
    logger: log,
    beforeRound: () => committer.flushIfIdle(),
    claimed: (count) => (stats.claimed += count),
    giveBack: (ids) => leases.release(ids),
    quiet: notifyIdle,
  });

  /** One delivery from its profile to its outcome; every failure becomes an outcome. */
  async function send(delivery: Delivery): Promise<void> {
    let attempted: Attempted;
    try {
      const profile = await loadProfile(delivery.externalId);
      attempted = await ports.sender.send(delivery, profile);
    } catch (error) {
      // The port never throws; the profile read fails only with the store, and a database that
      // is away is waited for (the outcome is recorded once it is back).
      attempted = isStoreUnavailable(error) ? databaseAway(error) : { kind: 'failed', code: 'internal', error: `send failed: ${messageOf(error)}` };
    }
    sent(delivery.id, outcomeOf(delivery, attempted, ports, now()));
  }

  function sent(id: string, settled: Settled): void {
    // After stop() the claim was released; it will be sent again under the same key.
    if (phase === 'stopped') return;
    table.settle(id);
    committer.submit(settled);
    if (phase !== 'running') return;
    slots.fill();
    if (slots.waiting === 0 && options.concurrency - table.count('sending') >= refillAt) loop.wake();
  }

  function committed(group: Settled[], result: { deliveries: Delivery[] } | undefined): void {
    for (const { outcome } of group) table.remove(outcome.id);
    if (result) {
      if (result.deliveries.length > 0) loop.wake();
      stats.commits++;
      const outcomes = group.map((s) => s.outcome);
      for (const outcome of outcomes) count(outcome);
      ports.onRecorded?.(outcomes);
      logOutcomes(outcomes);
    }
    notifyIdle();
  }

  function count(outcome: DeliveryOutcome): void {
    if (outcome.status === 'retry') stats.retried++;
    else stats[outcome.status]++;
  }

  /** Give-ups are worth a warning; everything else is debug detail (the delivery log has it all). */
  function logOutcomes(outcomes: DeliveryOutcome[]): void {
    for (const outcome of outcomes) {
      const fields = { delivery_id: outcome.id, status: outcome.status, status_code: outcome.attempt?.statusCode, code: outcome.code, error: outcome.error };
      if (outcome.status === 'dead' || outcome.status === 'failed') log.warn(fields, `delivery ${outcome.status}`);
      else log.debug(fields, `delivery ${outcome.status}`);
    }
  }

  function handOff(): DeliveryHandOff {
    let held = 0;
    const free = (): number => {
      const freed = held;
      slots.unreserve(held);
      held = 0;
      return freed;
    };
    return {
      claim: {
        owner,
        leaseMs,
        reserve() {
          if (phase !== 'running' || slots.spareRoom() === 0) return false;
          slots.reserve(1);
          held++;
          return true;
        },
      },
      adopt(deliveries) {
        const reserved = free();
        // A new delivery is written `sending` only when this hand-off reserved it.
        const mine = deliveries.filter((d) => d.status === 'sending');
        invariant(mine.length <= reserved, 'adoptsReserved', () => `${mine.length} leased, ${reserved} reserved`);
        if (mine.length < deliveries.length) loop.wake();
        if (phase !== 'running') {
          // Stopping: give them back to the queue (or to whoever claims after the lease).
          void leases.release(mine.map((d) => d.id));
          return;
        }
        for (const delivery of mine) slots.enqueue(delivery);
        slots.fill();
        stats.claimed += mine.length;
      },
      cancel: () => void free(),
    };
  }

  function isIdle(): boolean {
    return table.size === 0 && !committer.busy;
  }

  function notifyIdle(): void {
    if (!isIdle() || idleWaiters.length === 0) return;
    void ports.store.nextDueAt().then((due) => {
      if (!isIdle() || (due && due.getTime() <= now().getTime())) return;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    });
  }

  return {
    start() {
      if (phase !== 'new') return;
      phase = 'running';
      loop.start();
      leases.start();
    },
    wake: () => loop.wake(),
    handOff,
    stop(graceMs) {
      return (stopping ??= stop(graceMs));
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        notifyIdle();
      });
    },
    stats: () => ({ ...stats, inFlight: table.count('sending') }),
  };

  async function stop(graceMs: number): Promise<void> {
    phase = 'stopping';
    await loop.stop();
    // Sends still in flight keep their leases through the grace period.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(table.sends()), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    // Deliveries still waiting for a slot never started: they go back with the unfinished ones.
    const unfinished = [...table.idsIn('sending'), ...slots.drain()];
    for (const id of unfinished) table.remove(id);
    phase = 'stopped';
    table.close();
    leases.stop();
    if (unfinished.length > 0) log.warn({ deliveries: unfinished.length }, 'releasing deliveries still in flight at shutdown');
    await leases.release(unfinished);
    await committer.close();
  }
}

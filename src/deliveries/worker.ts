// The outbox worker. It claims due deliveries under a lease, sends many at once, and commits
// their outcomes in groups: whatever finishes within a few milliseconds, or while the previous
// commit runs, shares one transaction. A crash loses nothing: unrecorded claims come back when their lease expires, and the
// receiver sees the same Idempotency-Key again.
import type { Delivery, DeliveryOutcome } from '../domain/index.js';
import { isStoreUnavailable, type NewDeliveryClaim } from '../store/index.js';
import { processDelivery, type ProcessedDelivery } from './process.js';
import { createProfileLoader } from './profile-loader.js';
import type { WorkerOptions, WorkerPorts, WorkerStats } from './types.js';
import { createWakeSignal } from './wake-signal.js';

/** How long a finished send waits for others to join its commit (each commit is an fsync). */
const GROUP_COMMIT_WINDOW_MS = 5;

export interface DeliveryWorker {
  start(): void;
  /** Ask for a claim round now (new deliveries were enqueued). */
  wake(): void;
  /** Takes new deliveries as an applyTrack writes them, while this worker has room (see `backlog`). */
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

export function createDeliveryWorker(ports: WorkerPorts, options: WorkerOptions): DeliveryWorker {
  const now = ports.now ?? (() => new Date());
  const log = ports.logger;
  const stats: WorkerStats = { claimed: 0, delivered: 0, retried: 0, failed: 0, dead: 0, aborted: 0, commits: 0, inFlight: 0 };
  const inFlight = new Map<string, Promise<void>>();
  /** Slots promised to hand-offs whose transaction has not finished yet. */
  let reserved = 0;
  /**
   * Deliveries leased to this worker waiting for a slot, in order: each starts as a slot frees.
   * A hand-off may lease past the free slots: otherwise a burst is written queued and waits for
   * a claim round, a write of its own that waits for its fsync (several ms) while slots run dry.
   */
  const backlog = new Map<string, Delivery>();
  /** Leased to this worker at most: the sends in flight and as many waiting for a slot. */
  const maxLeased = options.concurrency * 2;
  let pending: ProcessedDelivery[] = [];
  /** Sent but not yet committed: if the lease lapses meanwhile, a re-claim must not send again. */
  const settling = new Set<string>();
  let flushing: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = false;
  // Claim again once this many slots are free: fewer, larger claim transactions.
  const refillAt = Math.max(1, Math.floor(Math.min(options.batchSize, options.concurrency) / 2));
  let loop: Promise<void> | undefined;
  let idleWaiters: (() => void)[] = [];
  const signal = createWakeSignal();
  const processPorts = { ...ports, loadProfile: createProfileLoader(ports.store) };
  const wake = (): void => signal.wake();

  /** Commits soon rather than at once, so outcomes finishing close together share one transaction. */
  function scheduleFlush(): void {
    if (pending.length >= options.batchSize) {
      void flush();
      return;
    }
    flushTimer ??= setTimeout(() => void flush(), GROUP_COMMIT_WINDOW_MS);
  }

  async function flush(): Promise<void> {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    // One commit at a time; outcomes arriving meanwhile form the next group.
    while (flushing) await flushing;
    if (pending.length === 0) return;
    const group = pending;
    pending = [];
    flushing = commit(group)
      .then((done) => {
        if (done) for (const { outcome } of group) settling.delete(outcome.id);
      })
      .finally(() => (flushing = undefined));
    await flushing;
  }

  /** Outcomes are waiting for the database to come back (reported once per outage). */
  let keeping = false;

  /** False when the outcomes were kept to be committed again (the database was out of reach). */
  async function commit(group: ProcessedDelivery[]): Promise<boolean> {
    try {
      // Fenced by owner: if another worker took a delivery over, its verdict is the one kept.
      // Each success's profile update (on_delivered_update) commits with its outcome: a crash
      // keeps both or neither, so a reclaimed send is never judged by its own update.
      const updates = group.flatMap((p) => (p.update ? [{ deliveryId: p.outcome.id, batch: p.update }] : []));
      const result = await ports.store.recordOutcomes(
        group.map((p) => p.outcome),
        now(),
        { owner: options.owner, ...(updates.length > 0 ? { updates, planner: ports.planner() } : {}) },
      );
      for (const refused of result.refused) {
        // The send itself succeeded; a profile that rejects the update must not undo that.
        log.error({ delivery_id: refused.deliveryId, error: refused.error }, 'on_delivered_update was not applied');
      }
      if (result.deliveries.length > 0) wake();
      keeping = false;
      stats.commits++;
      for (const { outcome } of group) count(outcome);
      ports.onRecorded?.(group.map((p) => p.outcome));
      logOutcomes(group);
    } catch (error) {
      if (isStoreUnavailable(error) && !stopped) {
        // Sent, but not recorded: kept (and their leases renewed) and committed again by the next
        // claim round, so they are not sent again once the database is back. Fenced by owner, a
        // repeat of a commit that did land changes nothing.
        pending = [...group, ...pending];
        if (!keeping) log.warn({ err: error, deliveries: group.length }, 'database unavailable: delivery outcomes kept to be recorded later');
        keeping = true;
        return false;
      }
      // The claims stay leased and are retried after the lease; nothing is marked done.
      log.error({ err: error, deliveries: group.length }, 'could not record delivery outcomes');
    }
    notifyIdle();
    return true;
  }

  /** Give-ups are worth a warning; everything else is debug detail (the delivery log has it all). */
  function logOutcomes(group: ProcessedDelivery[]): void {
    for (const { outcome } of group) {
      const fields = { delivery_id: outcome.id, status: outcome.status, status_code: outcome.attempt?.statusCode, error: outcome.error };
      if (outcome.status === 'dead' || outcome.status === 'failed') log.warn(fields, `delivery ${outcome.status}`);
      else log.debug(fields, `delivery ${outcome.status}`);
    }
  }

  function count(outcome: DeliveryOutcome): void {
    if (outcome.status === 'retry') stats.retried++;
    else stats[outcome.status]++;
  }

  function track(delivery: Delivery): void {
    const work = processDelivery(delivery, processPorts).then((processed) => {
      inFlight.delete(delivery.id);
      stats.inFlight = inFlight.size;
      // After stop() the claim was released; it will be sent again under the same key.
      if (stopped) return;
      settling.add(delivery.id);
      pending.push(processed);
      scheduleFlush();
      startWaiting();
      if (backlog.size === 0 && options.concurrency - inFlight.size >= refillAt) wake();
    });
    inFlight.set(delivery.id, work);
    stats.inFlight = inFlight.size;
  }

  /** Starts leased deliveries from the backlog while slots are free. */
  function startWaiting(): void {
    while (running && inFlight.size < options.concurrency && backlog.size > 0) {
      const [id, next] = backlog.entries().next().value!;
      backlog.delete(id);
      track(next);
    }
  }

  function handOff(): DeliveryHandOff {
    let held = 0;
    const free = (): void => {
      reserved -= held;
      held = 0;
    };
    return {
      claim: {
        owner: options.owner,
        leaseMs: options.leaseMs,
        reserve() {
          if (!running || maxLeased - inFlight.size - backlog.size - reserved <= 0) return false;
          reserved++;
          held++;
          return true;
        },
      },
      adopt(deliveries) {
        free();
        // A new delivery is written `sending` only when this hand-off reserved it.
        const mine = deliveries.filter((d) => d.status === 'sending');
        if (mine.length < deliveries.length) wake();
        if (!running) {
          // Stopping: give them back to the queue (or to whoever claims after the lease).
          if (mine.length > 0) void ports.store.releaseDeliveries(options.owner, mine.map((d) => d.id)).catch((err: unknown) => log.error({ err }, 'release failed'));
          return;
        }
        for (const delivery of mine) backlog.set(delivery.id, delivery);
        startWaiting();
        stats.claimed += mine.length;
      },
      cancel: free,
    };
  }

  async function claimRound(): Promise<number> {
    const room = options.concurrency - inFlight.size - reserved - backlog.size;
    if (room <= 0) return 0;
    const claimed = await ports.store.claimDeliveries(options.owner, Math.min(room, options.batchSize), now(), options.leaseMs);
    let fresh = 0;
    for (const delivery of claimed) {
      // A send of ours that outlived its lease (slow host queue, commit pending) came back: the
      // claim just renewed the lease, and the running send will record the outcome.
      if (inFlight.has(delivery.id) || settling.has(delivery.id) || backlog.has(delivery.id)) continue;
      // Through the backlog: a hand-off may have taken the free slots while this claim committed.
      backlog.set(delivery.id, delivery);
      fresh++;
    }
    startWaiting();
    stats.claimed += fresh;
    return fresh;
  }

  /** Keeps the leases of sends waiting, in flight or awaiting their commit, so nobody takes them over. */
  let renewing = false;
  async function renewLeases(): Promise<void> {
    const ids = [...inFlight.keys(), ...backlog.keys(), ...settling];
    if (ids.length === 0 || renewing || stopped) return;
    renewing = true;
    try {
      await ports.store.renewLeases(options.owner, ids, now(), options.leaseMs);
    } catch (error) {
      log.error({ err: error, deliveries: ids.length }, 'renewing delivery leases failed');
    } finally {
      renewing = false;
    }
  }
  let renewTimer: NodeJS.Timeout | undefined;

  async function nextSleepMs(): Promise<number> {
    if (inFlight.size >= options.concurrency) return options.pollMs;
    const due = await ports.store.nextDueAt();
    if (!due) return options.pollMs;
    return Math.min(options.pollMs, Math.max(0, due.getTime() - now().getTime()));
  }

  async function run(): Promise<void> {
    while (running) {
      signal.arm();
      let claimed = 0;
      // Outcomes waiting for their commit go in the same store transaction as this claim
      // (both are asked for in this turn): one commit per round instead of two.
      if (pending.length > 0 && !flushing) void flush();
      try {
        claimed = await claimRound();
      } catch (error) {
        log.error({ err: error }, 'claiming deliveries failed');
      }
      if (!running) break;
      if (claimed > 0 && inFlight.size < options.concurrency) continue;
      notifyIdle();
      let ms = options.pollMs;
      try {
        ms = await nextSleepMs();
      } catch (error) {
        log.error({ err: error }, 'reading the next due time failed');
      }
      // A due time in the past means another claimer holds it or the clock moved; do not spin.
      await signal.sleep(Math.max(ms, claimed === 0 && ms === 0 ? 5 : 0));
    }
  }

  function isIdle(): boolean {
    return inFlight.size === 0 && backlog.size === 0 && pending.length === 0 && !flushing;
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
      if (running) return;
      running = true;
      loop = run();
      // A third of the lease: two renewals may fail before the lease lapses.
      renewTimer = setInterval(() => void renewLeases(), Math.max(10, Math.floor(options.leaseMs / 3)));
      renewTimer.unref();
    },
    wake,
    handOff,
    async stop(graceMs) {
      running = false;
      signal.wake();
      await loop;
      // Sends still in flight keep their leases through the grace period.
      const all = Promise.all(inFlight.values());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      // Deliveries still waiting for a slot never started: they go back with the unfinished ones.
      const unfinished = [...inFlight.keys(), ...backlog.keys()];
      backlog.clear();
      stopped = true;
      clearInterval(renewTimer);
      if (unfinished.length > 0) {
        log.warn({ deliveries: unfinished.length }, 'releasing deliveries still in flight at shutdown');
        await ports.store.releaseDeliveries(options.owner, unfinished).catch((err: unknown) => log.error({ err }, 'release failed'));
      }
      await flush();
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        notifyIdle();
      });
    },
    stats: () => ({ ...stats }),
  };
}

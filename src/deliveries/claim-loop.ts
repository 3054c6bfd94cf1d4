// The claim loop: claims due deliveries into the backlog while there is room, then sleeps until
// the next one is due, the poll interval passes, or a wake() (new deliveries, a slot freed).
import type { Logger } from 'pino';
import type { DeliveryTable } from './delivery-table.js';
import type { Slots } from './slots.js';
import type { WorkerStore } from '../store/index.js';
import type { WorkerOptions } from './types.js';
import { createWakeSignal } from './wake-signal.js';

export interface ClaimLoopDeps {
  store: Pick<WorkerStore, 'claimDeliveries' | 'nextDueAt'>;
  options: WorkerOptions;
  table: DeliveryTable;
  slots: Slots;
  now(): Date;
  logger: Logger;
  /** Called at the start of each round (outcomes waiting can commit with the claim). */
  beforeRound(): void;
  /** Deliveries this round added to the backlog. */
  claimed(count: number): void;
  /** Releases claimed deliveries this worker has no room for. */
  giveBack(ids: string[]): Promise<void>;
  /** Called when a round found nothing more to do now. */
  quiet(): void;
}

export interface ClaimLoop {
  start(): void;
  wake(): void;
  /** Ends the loop after its current round. */
  stop(): Promise<void>;
}

export function createClaimLoop(deps: ClaimLoopDeps): ClaimLoop {
  const { store, options, table, slots, logger, now } = deps;
  const signal = createWakeSignal();
  let running = false;
  let loop: Promise<void> | undefined;

  async function claimRound(): Promise<number> {
    const room = Math.min(slots.spareRoom(), options.batchSize);
    if (room <= 0) return 0;
    const claimed = await store.claimDeliveries(options.owner, room, now(), options.leaseMs);
    // A delivery of ours whose lease lapsed (slow host queue, commit pending) came back: the
    // claim just renewed the lease, and the running send will record the outcome.
    const fresh = claimed.filter((d) => table.stateOf(d.id) === undefined);
    // Hand-offs may have filled the room while this claim committed (the room is not held for a
    // claim: most find nothing, and a burst should not be turned away meanwhile). What would
    // overshoot goes straight back to the queue.
    const excess = fresh.splice(slots.spareRoom());
    if (excess.length > 0) void deps.giveBack(excess.map((d) => d.id));
    for (const delivery of fresh) slots.enqueue(delivery);
    // Stopping: what this claim brought waits, and goes back with the rest of the backlog.
    if (running) slots.fill();
    if (fresh.length > 0) deps.claimed(fresh.length);
    return fresh.length;
  }

  async function nextSleepMs(): Promise<number> {
    if (table.count('sending') >= options.concurrency) return options.pollMs;
    const due = await store.nextDueAt();
    if (!due) return options.pollMs;
    return Math.min(options.pollMs, Math.max(0, due.getTime() - now().getTime()));
  }

  async function run(): Promise<void> {
    while (running) {
      signal.arm();
      let claimed = 0;
      // Outcomes waiting for their commit go in the same store transaction as this claim
      // (both are asked for in this turn): one commit per round instead of two.
      deps.beforeRound();
      try {
        claimed = await claimRound();
      } catch (error) {
        logger.error({ err: error }, 'claiming deliveries failed');
      }
      if (!running) break;
      if (claimed > 0 && table.count('sending') < options.concurrency) continue;
      deps.quiet();
      let ms = options.pollMs;
      try {
        ms = await nextSleepMs();
      } catch (error) {
        logger.error({ err: error }, 'reading the next due time failed');
      }
      // A due time in the past means another claimer holds it or the clock moved; do not spin.
      await signal.sleep(Math.max(ms, claimed === 0 && ms === 0 ? 5 : 0));
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    wake: () => signal.wake(),
    async stop() {
      running = false;
      signal.wake();
      await loop;
    },
  };
}

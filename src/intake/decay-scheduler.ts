// The inactivity decay loop. It reads due memberships through the store's index (never a scan
// of all profiles), applies them in batches through the intake (so decrements trigger campaigns
// like any score change), and sleeps until the next due time. Several loops (threads, instances)
// may run at once: the store applies each due time exactly once.
import { backgroundLoop } from '../background-loop.js';
import type { ProfileStore } from '../store/index.js';
import type { Intake } from './intake.js';

export interface DecaySchedulerOptions {
  intake: Pick<Intake, 'applyDue'>;
  /** Where the next due time is read. */
  store: Pick<ProfileStore, 'nextMembershipDueAt'>;
  now?: () => Date;
  /** Due memberships applied per transaction (default 200). */
  batchSize?: number;
  /** Longest sleep (default 60 s): also how late another instance's new due times are seen. */
  pollMs?: number;
  logger?: { error(obj: object, msg: string): void };
}

export interface DecayScheduler {
  /** Applies everything due now, batch after batch; returns how many due times were applied. */
  runDue(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createDecayScheduler(options: DecaySchedulerOptions): DecayScheduler {
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 200;
  const pollMs = options.pollMs ?? 60_000;

  async function runDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const at = now();
      const result = await options.intake.applyDue(at, batchSize);
      total += result.applied;
      // An applied row may be due again at once (windows missed while stopped): go on until none is.
      if (result.applied === 0) return total;
    }
  }

  async function sleepMs(): Promise<number> {
    const due = await options.store.nextMembershipDueAt();
    if (!due) return pollMs;
    return Math.min(pollMs, Math.max(0, due.getTime() - now().getTime()));
  }

  // A due time in the past that was not applied is held elsewhere: never sleep under 50 ms.
  const loop = backgroundLoop(
    async () => {
      await runDue();
      return Math.max(await sleepMs(), 50);
    },
    {
      errorSleepMs: Math.max(pollMs, 50),
      onError: (error) => options.logger?.error({ err: error }, 'inactivity decay round failed'),
    },
  );

  return { runDue, start: loop.start, stop: loop.stop };
}

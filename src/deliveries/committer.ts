// The outcome committer: group commit. Outcomes finishing within a few milliseconds, or while the
// previous commit runs, share one store transaction (each commit is an fsync). A commit that
// fails marks nothing done: the claims stay leased and come back after the lease. While the
// database is out of reach, outcomes are kept (their deliveries stay held, so their leases are
// renewed) and committed again with the next group or claim round: sent once, recorded once the
// database is back.
import type { Logger } from 'pino';
import { isStoreUnavailable, type RecordOutcomesResult, type WorkerStore } from '../store/index.js';
import type { Settled } from './outcome.js';

/** How long a finished send waits for others to join its commit. */
export const GROUP_COMMIT_WINDOW_MS = 5;

export interface CommitterDeps {
  store: Pick<WorkerStore, 'recordOutcomes'>;
  owner: string;
  /** Outcomes per commit at most: a full group commits at once. */
  batchSize: number;
  now(): Date;
  logger: Logger;
  /**
   * After each commit attempt, with the store's answer (undefined when the commit failed), except
   * one whose outcomes were kept for the database to come back.
   */
  committed(group: Settled[], result: RecordOutcomesResult | undefined): void;
}

export class OutcomeCommitter {
  private pending: Settled[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Outcomes are kept for the database to come back (reported once per outage). */
  private keeping = false;
  /** Set by close(): the last commit; outcomes are no longer kept. */
  private closing = false;

  constructor(private readonly deps: CommitterDeps) {}

  /** Outcomes waiting for a commit, or a commit running. */
  get busy(): boolean {
    return this.pending.length > 0 || this.flushing !== undefined;
  }

  /** Commits soon rather than at once, so outcomes finishing close together share one transaction. */
  submit(settled: Settled): void {
    this.pending.push(settled);
    if (this.pending.length >= this.deps.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), GROUP_COMMIT_WINDOW_MS);
  }

  /** Starts a commit of what waits now unless one is running (its group would only be smaller). */
  flushIfIdle(): void {
    if (this.pending.length > 0 && !this.flushing) void this.flush();
  }

  /** The last flush (shutdown): what cannot be committed now is left to the leases. */
  close(): Promise<void> {
    this.closing = true;
    return this.flush();
  }

  /** Commits everything waiting; resolves once it is committed, failed, or kept for later. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // One commit at a time; outcomes arriving meanwhile form the next group.
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const group = this.pending;
    this.pending = [];
    this.flushing = this.commit(group).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async commit(group: Settled[]): Promise<void> {
    const { store, owner, logger } = this.deps;
    let result: RecordOutcomesResult | undefined;
    try {
      // Fenced by owner: if another worker took a delivery over, its verdict is the one kept.
      // Each success's profile update (on_delivered_update) commits with its outcome: a crash
      // keeps both or neither, so a reclaimed send is never judged by its own update.
      const updates = group.flatMap((s) => (s.update ? [{ deliveryId: s.outcome.id, batch: s.update }] : []));
      result = await store.recordOutcomes(
        group.map((s) => s.outcome),
        this.deps.now(),
        { owner, ...(updates.length > 0 ? { updates } : {}) },
      );
      for (const refused of result.refused) {
        // The send itself succeeded; a profile that rejects the update must not undo that.
        logger.error({ delivery_id: refused.deliveryId, error: refused.error }, 'on_delivered_update was not applied');
      }
      this.keeping = false;
    } catch (error) {
      if (isStoreUnavailable(error) && !this.closing) {
        // Sent but not recorded: kept, so they are not sent again once the database is back.
        // Fenced by owner, a repeat of a commit that did land changes nothing.
        this.pending = [...group, ...this.pending];
        if (!this.keeping) logger.warn({ err: error, deliveries: group.length }, 'database unavailable: delivery outcomes kept to be recorded later');
        this.keeping = true;
        return;
      }
      logger.error({ err: error, deliveries: group.length }, 'could not record delivery outcomes');
    }
    this.deps.committed(group, result);
  }
}

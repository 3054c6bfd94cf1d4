// Group commit for the SQLite store. Every write asked for within one turn of the event loop
// runs in ONE transaction (BEGIN IMMEDIATE … COMMIT, one WAL fsync), each in its own savepoint:
// a write that throws is rolled back alone and rejects alone, the others commit. No caller's
// promise resolves before the transaction holding its write has committed, and (with a
// WalSyncer) before that commit is on disk.
import type Database from 'better-sqlite3';
import type { WalSyncer } from './wal-sync.js';

interface QueuedWrite {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitter {
  private queue: QueuedWrite[] = [];
  private scheduled = false;

  /** Set for a file database: commits are then synced off the event loop (see wal-sync.ts). */
  wal: WalSyncer | undefined;

  constructor(private readonly db: Database.Database) {}

  /** Queues `fn` for the next group; it runs synchronously inside that group's transaction. */
  write<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current turn's callbacks and promise jobs: writes they ask for join this group.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs every queued write now (also called before the connection closes). */
  flush(): void {
    this.scheduled = false;
    const group = this.queue;
    this.queue = [];
    if (group.length === 0) return;
    if (group.length === 1) {
      const [only] = group as [QueuedWrite];
      let value: unknown;
      try {
        value = this.db.transaction(only.fn).immediate();
      } catch (error) {
        only.reject(error);
        return;
      }
      this.whenDurable(() => only.resolve(value), only.reject);
      return;
    }
    const settled: { ok: boolean; value: unknown }[] = [];
    try {
      this.db
        .transaction(() => {
          for (const write of group) {
            try {
              // Nested: a savepoint, rolled back on its own if the write throws.
              settled.push({ ok: true, value: this.db.transaction(write.fn)() });
            } catch (error) {
              settled.push({ ok: false, value: error });
            }
          }
        })
        .immediate();
    } catch (error) {
      // BEGIN or COMMIT failed: nothing in the group was written.
      for (const write of group) write.reject(error);
      return;
    }
    this.whenDurable(
      () => group.forEach((write, i) => (settled[i]!.ok ? write.resolve(settled[i]!.value) : write.reject(settled[i]!.value))),
      (error) => group.forEach((write) => write.reject(error)),
    );
  }

  /** Runs `then` once the last commit is on disk (at once without a WalSyncer: the commit synced). */
  private whenDurable(then: () => void, fail: (error: unknown) => void): void {
    if (!this.wal) return then();
    this.wal.sync().then(then, fail);
  }
}

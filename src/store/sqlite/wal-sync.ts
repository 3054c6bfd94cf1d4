// Durable commits without blocking the event loop. The connection commits with
// synchronous=NORMAL (the WAL is written but not fsynced), and this class fsyncs the WAL file on
// libuv's thread pool before any writer is answered. Every acknowledged write is on disk, as with
// synchronous=FULL, but the event loop keeps rendering and sending while the disk flushes, and one
// fsync covers all the commits made while the previous one ran.
//
// Until its fsync, a committed transaction can only be undone by a power loss (not by kill -9:
// it is in the OS page cache). Its writer has not been answered yet, and the export stream's
// readers wait for the fsync, so no consumer stores a position that could be taken back.
// After a checkpoint SQLite may start the WAL over; it fsyncs the database file first (checkpoints
// run at synchronous=FULL or NORMAL, both sync), so older frames never depend on this fsync.
import { closeSync, fsync, openSync } from 'node:fs';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WalSyncer {
  private fd: number | undefined;
  /** Commits made since the fsync in flight started: the next fsync covers them. */
  private waiting: Waiter[] = [];
  private inFlight = false;
  stats = { fsyncs: 0 };

  /** `walPath` is the database file's path plus "-wal" (it exists once WAL mode is on). */
  constructor(private readonly walPath: string) {}

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.inFlight) this.start();
    });
  }

  /** Resolves at once when no commit waits for its fsync, else after the next fsync. */
  settled(): Promise<void> {
    return !this.inFlight && this.waiting.length === 0 ? Promise.resolve() : this.sync();
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    try {
      this.fd ??= openSync(this.walPath, 'r');
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
      return;
    }
    this.inFlight = true;
    this.stats.fsyncs++;
    fsync(this.fd, (error) => {
      this.inFlight = false;
      for (const waiter of batch) (error ? waiter.reject(error) : waiter.resolve());
      if (this.waiting.length > 0) this.start();
    });
  }

  /** Waits for the fsync in flight, then closes the file (before the connection closes). */
  async close(): Promise<void> {
    await this.settled();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

// WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside the commit that
// crosses 1,000 WAL pages: it copies them into the database file and fsyncs it, blocking the event
// loop (and every request and send waiting on it) for tens of milliseconds. Here a second
// connection on its own thread does PASSIVE checkpoints (they never block writers), and the
// main connection only checkpoints itself if the WAL still grows past a bound.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the thread copies committed WAL pages into the database file. */
const CHECKPOINT_EVERY_MS = 500;
/**
 * Past this many WAL pages, while commits keep coming, the thread starts its next checkpoint as
 * soon as one ends. Under heavy writes it then keeps up, so what the main connection has left to
 * copy past the bound stays small: its checkpoints blocked the event loop about 3 times longer
 * when the thread waited between checkpoints.
 */
const BUSY_WAL_PAGES = 1000;
/**
 * A PASSIVE checkpoint copies only the pages committed before it began, and the WAL starts over
 * only once everything is copied: under a steady stream of commits that may not happen. Past this
 * many pages the main connection checkpoints itself (little is left to copy by then).
 */
const WAL_BOUND_PAGES = 8192;
/** How long close() waits for a checkpoint in progress. */
const CLOSE_WAIT_MS = 5000;

const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, walPages: result.log });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error) });
  }
});
`;

export class BackgroundCheckpointer {
  private readonly thread: Worker;
  private readonly timer: NodeJS.Timeout;
  private busy = false;
  private stopped = false;
  /** WAL size at the last checkpoint: unchanged means no commits since, so no hurry. */
  private lastWalPages = 0;

  /** Turns off the connection's automatic checkpoint; it comes back if the thread fails. */
  constructor(
    private readonly db: Database.Database,
    path: string,
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.thread = new Worker(THREAD_SOURCE, { eval: true, workerData: { driver, path } });
    this.thread.unref();
    this.thread.on('message', (reply: { ok: boolean; walPages?: number }) => {
      this.busy = false;
      const walPages = reply.walPages ?? 0;
      if (this.stopped) return;
      const growing = walPages !== this.lastWalPages;
      this.lastWalPages = walPages;
      if (walPages > WAL_BOUND_PAGES) this.db.pragma('wal_checkpoint(PASSIVE)');
      else if (walPages > BUSY_WAL_PAGES && growing) this.tick();
    });
    this.thread.on('error', () => this.fallBack());
    this.thread.on('exit', () => this.fallBack());
    db.pragma('wal_autocheckpoint = 0');
    this.timer = setInterval(() => this.tick(), CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  private tick(): void {
    if (this.stopped || this.busy) return;
    this.busy = true;
    this.thread.postMessage('checkpoint');
  }

  /** The thread is gone: the connection checkpoints on its own again. */
  private fallBack(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
  }

  /** Stops the thread; call before the main connection closes (which then checkpoints as usual). */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    const exited = new Promise<void>((resolve) => this.thread.once('exit', () => resolve()));
    this.thread.postMessage('close');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_WAIT_MS)));
    if ((await Promise.race([exited, late])) === 'late') await this.thread.terminate();
    clearTimeout(timer);
  }
}

// One process serves an SQLite database: the one running its API and delivery worker. It holds
// an OS lock on a sidecar file (`<db>-owner`) for as long as it lives: SQLite's own file lock, a
// write transaction kept open there. The operating system drops that lock with the process,
// kill -9 included, so a restart never waits for a lease or a heartbeat to run out, and a second
// `serve` on the same file is refused at start instead of silently sharing the outbox.
// Commands that only read or enqueue (the CLI) open the database without this lock.
import Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { CodedError } from '../../errors/index.js';

/** A second process (or a second service in this one) tried to serve a database already served. */
export class DatabaseOwnedError extends CodedError {
  constructor(
    readonly path: string,
    readonly holder: OwnerInfo | undefined,
  ) {
    const who = holder ? `process ${holder.pid} on ${holder.host}, serving it since ${holder.startedAt}` : 'another process';
    super(
      'LH_DB_IN_USE',
      `database ${path} is already served by ${who}: one process serves an SQLite database. ` +
        'Stop that process first, or use PostgreSQL (LIQUIDHOOK_DATABASE_URL) to run several instances',
    );
    this.name = 'DatabaseOwnedError';
  }
}

export interface OwnerInfo {
  pid: number;
  host: string;
  startedAt: string;
}

export interface OwnerLock {
  /** The sidecar file holding the lock. */
  readonly file: string;
  release(): void;
}

/** How long a start waits for an owner that is just shutting down. */
const WAIT_FOR_PREVIOUS_OWNER_MS = 250;

export function ownerLockFile(dbPath: string): string {
  return `${dbPath}-owner`;
}

function isBusy(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === 'SQLITE_BUSY';
}

function holderOf(lock: Database.Database): OwnerInfo | undefined {
  try {
    const row = lock.prepare('SELECT pid, host, started_at FROM owner').get() as { pid: number; host: string; started_at: string } | undefined;
    return row ? { pid: row.pid, host: row.host, startedAt: row.started_at } : undefined;
  } catch {
    return undefined; // the first owner had not written its row yet
  }
}

/**
 * Takes the database's owner lock for this process, or throws DatabaseOwnedError naming the
 * file and, when known, the process holding it.
 */
export function acquireOwnerLock(dbPath: string, now: () => Date = () => new Date()): OwnerLock {
  const file = ownerLockFile(dbPath);
  const lock = new Database(file, { timeout: WAIT_FOR_PREVIOUS_OWNER_MS });
  /** Takes the lock file's write lock; another process holding it means this one is refused. */
  const take = (): void => {
    try {
      lock.exec('BEGIN IMMEDIATE');
    } catch (error) {
      const holder = isBusy(error) ? holderOf(lock) : undefined;
      lock.close();
      throw isBusy(error) ? new DatabaseOwnedError(dbPath, holder) : error;
    }
  };
  take();
  // Who holds it is committed, so a refused process can name it (readers pass a held write lock).
  lock.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL)');
  lock.exec('DELETE FROM owner');
  lock.prepare('INSERT INTO owner (pid, host, started_at) VALUES (?, ?, ?)').run(process.pid, hostname(), now().toISOString());
  lock.exec('COMMIT');
  // Held from here until release or exit. A process that slipped in between the two
  // transactions owns the file now, and this one is refused.
  take();
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      lock.exec('ROLLBACK');
      lock.close();
    },
  };
}

/**
 * Only the owner sends, so every delivery still `sending` when it starts was leased by a
 * previous owner that is gone: their leases end now, and the first claim takes them.
 * Returns how many there were.
 */
export function endLeftoverLeases(db: Database.Database, now: Date): number {
  const at = now.toISOString();
  return db.prepare(`UPDATE deliveries SET lease_until = ? WHERE status = 'sending' AND lease_until > ?`).run(at, at).changes;
}

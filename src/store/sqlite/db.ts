// Opening an SQLite database with the settings a durable outbox needs, and running migrations.
import Database from 'better-sqlite3';
import { migrations, SCHEMA_VERSION_TABLE, type SqlDialect } from '../migrations.js';

export const sqliteDialect: SqlDialect = {
  serialPrimaryKey: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  json: 'TEXT',
  float: 'REAL',
};

export interface SqliteOpenOptions {
  /** Database file; ':memory:' for a throwaway store. */
  path: string;
  /** How long a writer waits for another connection's lock before failing (ms). */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

export function openDatabase(options: SqliteOpenOptions): Database.Database {
  const db = new Database(options.path, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit: a committed transaction survives kill -9 and power loss.
    // (The store then moves that fsync off the event loop: see wal-sync.ts.)
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  return db;
}

/** Applies every migration not yet recorded in schema_version, each in its own transaction. */
export function migrateDatabase(db: Database.Database, now: () => Date = () => new Date()): number[] {
  db.exec(SCHEMA_VERSION_TABLE);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_version').all() as { version: number }[]).map((r) => r.version),
  );
  const done: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    // IMMEDIATE takes the write lock first, so two processes migrating at once do not both apply it.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_version WHERE version = ?').get(migration.version);
      if (again) return;
      for (const statement of migration.statements(sqliteDialect)) db.exec(statement);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        now().toISOString(),
      );
      done.push(migration.version);
    }).immediate();
  }
  return done;
}

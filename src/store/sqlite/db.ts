// Opening an SQLite database with the settings a durable outbox needs, and running migrations.
import Database from 'better-sqlite3';
import { type Migration, migrations, SCHEMA_VERSION_TABLE, type SqlDialect } from '../migrations.js';

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
    // Each write of a group commit runs in a savepoint, which keeps the original of every page it
    // changes in a statement journal; past 64 KiB that journal spills to a temporary file (a write
    // syscall per profile page a scored batch changes). In memory it stays the size of the pages
    // one group changes; durability comes from the WAL alone, so this costs none.
    db.pragma('temp_store = MEMORY');
  }
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * SQLite-only changes, versioned in their own table so the shared list stays the single history
 * of the common schema. Applied after the shared migrations.
 */
export const sqliteMigrations: Migration[] = [
  {
    version: 1,
    name: 'profiles keyed by id alone, with program memberships in the row and a due queue',
    // WITHOUT ROWID: a profile is found and rewritten in one b-tree instead of an index and a
    // table. Memberships: see memberships.ts. PostgreSQL keeps program_members, as its instances
    // claim due rows with FOR UPDATE SKIP LOCKED and its writers do not share one WAL.
    statements: () => [
      `CREATE TABLE profiles_by_id (
        external_id TEXT PRIMARY KEY,
        attributes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        memberships TEXT
      ) WITHOUT ROWID`,
      `INSERT INTO profiles_by_id (external_id, attributes, created_at, updated_at, memberships)
       SELECT p.external_id, p.attributes, p.created_at, p.updated_at,
         (SELECT json_group_object(m.program_id, json_array(m.entered_at, m.due_at, m.due_at))
          FROM program_members m WHERE m.external_id = p.external_id HAVING count(*) > 0)
       FROM profiles p`,
      `CREATE TABLE program_due (
        due_at TEXT NOT NULL,
        program_id TEXT NOT NULL,
        external_id TEXT NOT NULL,
        PRIMARY KEY (due_at, program_id, external_id)
      ) WITHOUT ROWID`,
      `INSERT INTO program_due (due_at, program_id, external_id)
       SELECT due_at, program_id, external_id FROM program_members WHERE due_at IS NOT NULL`,
      // Nothing references profiles once program_members is gone (events and purchases went in
      // shared migration 5), so dropping it cascades nowhere.
      `DROP TABLE program_members`,
      `DROP TABLE profiles`,
      `ALTER TABLE profiles_by_id RENAME TO profiles`,
    ],
  },
];

function applyList(db: Database.Database, table: string, list: Migration[], now: () => Date): number[] {
  db.exec(SCHEMA_VERSION_TABLE.replace('schema_version', table));
  const applied = new Set((db.prepare(`SELECT version FROM ${table}`).all() as { version: number }[]).map((r) => r.version));
  const done: number[] = [];
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    // IMMEDIATE takes the write lock first, so two processes migrating at once do not both apply it.
    db.transaction(() => {
      const again = db.prepare(`SELECT 1 FROM ${table} WHERE version = ?`).get(migration.version);
      if (again) return;
      for (const statement of migration.statements(sqliteDialect)) db.exec(statement);
      db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`).run(
        migration.version,
        migration.name,
        now().toISOString(),
      );
      done.push(migration.version);
    }).immediate();
  }
  return done;
}

/**
 * Applies every migration not yet recorded, each in its own transaction: the shared ones, then the
 * SQLite-only ones. Returns the shared versions it applied.
 */
export function migrateDatabase(db: Database.Database, now: () => Date = () => new Date()): number[] {
  const done = applyList(db, 'schema_version', migrations, now);
  applyList(db, 'embedded_schema_version', sqliteMigrations, now);
  return done;
}

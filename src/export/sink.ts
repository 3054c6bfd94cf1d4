// Where the exporter appends the stream: a table in an SQLite file or a PostgreSQL database.
// Rows are keyed by seq and inserted with "do nothing on conflict", so writing a page again
// after a crash (before the exporter's cursor moved) neither loses nor duplicates a row.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ExportEvent } from '../domain/index.js';
import { handleClientErrors } from '../store/index.js';

export interface ExportSink {
  readonly target: string;
  write(events: readonly ExportEvent[]): Promise<void>;
  close(): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function checkTableName(table: string): string {
  if (!IDENTIFIER.test(table)) throw new Error(`export table name must be a plain SQL identifier (got ${JSON.stringify(table)})`);
  return table;
}

const isPostgresUrl = (target: string): boolean => /^postgres(ql)?:\/\//.test(target);

/** Opens the sink and creates its table when missing. `target`: SQLite file path or postgres:// URL. */
export async function openExportSink(target: string, table = 'liquidhook_events'): Promise<ExportSink> {
  checkTableName(table);
  return isPostgresUrl(target) ? openPostgresSink(target, table) : openSqliteSink(target, table);
}

function openSqliteSink(path: string, table: string): ExportSink {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (
    seq INTEGER PRIMARY KEY, type TEXT NOT NULL, at TEXT NOT NULL, external_id TEXT,
    campaign_id TEXT, delivery_id TEXT, data TEXT NOT NULL)`);
  const insert = db.prepare(
    `INSERT INTO "${table}" (seq, type, at, external_id, campaign_id, delivery_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (seq) DO NOTHING`,
  );
  const writeAll = db.transaction((events: readonly ExportEvent[]) => {
    for (const e of events)
      insert.run(e.seq, e.type, e.at, e.externalId ?? null, e.campaignId ?? null, e.deliveryId ?? null, JSON.stringify(e.data));
  });
  return {
    target: path,
    async write(events) {
      if (events.length > 0) writeAll.immediate(events);
    },
    async close() {
      db.close();
    },
  };
}

async function openPostgresSink(url: string, table: string): Promise<ExportSink> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  handleClientErrors(pool);
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS "${table}" (
      seq BIGINT PRIMARY KEY, type TEXT NOT NULL, at TEXT NOT NULL, external_id TEXT,
      campaign_id TEXT, delivery_id TEXT, data JSON NOT NULL)`);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return {
    target: url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@'),
    async write(events) {
      if (events.length === 0) return;
      await pool.query(
        `INSERT INTO "${table}" (seq, type, at, external_id, campaign_id, delivery_id, data)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::json[])
         ON CONFLICT (seq) DO NOTHING`,
        [
          events.map((e) => e.seq),
          events.map((e) => e.type),
          events.map((e) => e.at),
          events.map((e) => e.externalId ?? null),
          events.map((e) => e.campaignId ?? null),
          events.map((e) => e.deliveryId ?? null),
          events.map((e) => JSON.stringify(e.data)),
        ],
      );
    },
    async close() {
      await pool.end();
    },
  };
}

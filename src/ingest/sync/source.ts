// Where a sync reads rows: an SQLite file (read-only) or a PostgreSQL database. Both page by
// (updated_at, external_id) after a watermark, so rows sharing a timestamp at a page boundary
// are neither skipped nor read twice. Rows whose updated_at is NULL are never read.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Json } from '../../domain/index.js';
import { handleClientErrors } from '../../store/index.js';
import type { SyncConfig } from './schema.js';

/** Position after the last row read; values as the source returned them (compared by the source). */
export interface Watermark {
  updated_at: Json;
  external_id: Json;
}

export interface SourceRow {
  externalId: unknown;
  /** As JSON, for the watermark. */
  updatedAt: Json;
  watermarkId: Json;
  values: Record<string, unknown>;
}

export interface SyncSource {
  readPage(after: Watermark | null, limit: number): Promise<SourceRow[]>;
  close(): Promise<void>;
}

const quote = (name: string): string =>
  name
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');

function pageSql(config: SyncConfig, param: (name: 'updated' | 'id' | 'limit') => string, cast: string): { first: string; after: string } {
  const id = quote(config.external_id_column);
  const updated = quote(config.updated_at_column);
  const columns = config.columns.map((c) => quote(c.column)).join(', ');
  const select = `SELECT ${id}${cast} AS "__lh_id", ${updated}${cast} AS "__lh_updated", ${columns} FROM ${quote(config.table)}`;
  const order = `ORDER BY ${updated}, ${id}`;
  return {
    first: `${select} WHERE ${updated} IS NOT NULL ${order} LIMIT ${param('limit')}`,
    after: `${select} WHERE ${updated} > ${param('updated')} OR (${updated} = ${param('updated')} AND ${id} > ${param('id')}) ${order} LIMIT ${param('limit')}`,
  };
}

function toRow(raw: Record<string, unknown>): SourceRow {
  const { __lh_id: id, __lh_updated: updated, ...values } = raw;
  const asJson = (v: unknown): Json => (typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : (v as Json));
  return { externalId: id, updatedAt: asJson(updated), watermarkId: asJson(id), values };
}

export function openSqliteSource(config: SyncConfig & { source: { kind: 'sqlite' } }): SyncSource {
  const db = new Database(config.source.path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const sql = pageSql(config, (name) => `@${name}`, '');
  const first = db.prepare(sql.first);
  const after = db.prepare(sql.after);
  return {
    async readPage(watermark, limit) {
      const rows = watermark
        ? after.all({ updated: watermark.updated_at, id: watermark.external_id, limit })
        : first.all({ limit });
      return (rows as Record<string, unknown>[]).map(toRow);
    },
    async close() {
      db.close();
    },
  };
}

/**
 * id and updated_at are read as text: the watermark keeps full precision (microseconds of a
 * timestamptz, big integers), and comparing a column with a text parameter casts the
 * parameter to the column's type.
 */
export function openPostgresSource(config: SyncConfig & { source: { kind: 'postgres' } }): SyncSource {
  const pool = new pg.Pool({ connectionString: config.source.url, max: 1 });
  handleClientErrors(pool);
  const positions = { updated: '$1', id: '$2', limit: '$3' } as const;
  const sql = pageSql(config, (name) => positions[name], '::text');
  return {
    async readPage(watermark, limit) {
      const result = watermark
        ? await pool.query(sql.after, [watermark.updated_at, watermark.external_id, limit])
        : await pool.query(sql.first.replace('$3', '$1'), [limit]);
      return (result.rows as Record<string, unknown>[]).map(toRow);
    },
    async close() {
      await pool.end();
    },
  };
}

export function openSyncSource(config: SyncConfig): SyncSource {
  return config.source.kind === 'sqlite'
    ? openSqliteSource(config as SyncConfig & { source: { kind: 'sqlite' } })
    : openPostgresSource(config as SyncConfig & { source: { kind: 'postgres' } });
}

// Appending to the export stream; runs inside the caller's transaction.
import type { ExportEvent } from '../../domain/index.js';
import type { StatementCache } from './rows.js';

/** Rows per multi-row INSERT: few statements per batch, a bounded number of prepared shapes. */
const ROWS_PER_INSERT = 64;

/** The multi-row INSERT text of each (table, columns, row count), built once. */
const insertSql = new Map<string, string>();

function insertStatementText(table: string, columns: readonly string[], rowCount: number): string {
  const key = `${table}(${columns.join(', ')})${rowCount}`;
  let sql = insertSql.get(key);
  if (sql === undefined) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(rowCount).fill(tuple).join(', ')}`;
    insertSql.set(key, sql);
  }
  return sql;
}

/** Inserts rows given as one flat list of values (`columns.length` per row), in order. */
function insertValues(stmts: StatementCache, table: string, columns: readonly string[], values: readonly unknown[]): void {
  const perChunk = ROWS_PER_INSERT * columns.length;
  for (let start = 0; start < values.length; start += perChunk) {
    const chunk = values.slice(start, start + perChunk);
    stmts.get(insertStatementText(table, columns, chunk.length / columns.length)).run(chunk);
  }
}

/** Inserts `rows` (values in `columns` order) with multi-row INSERT statements, in order. */
export function insertRows(stmts: StatementCache, table: string, columns: readonly string[], rows: readonly unknown[][]): void {
  if (rows.length > 0) insertValues(stmts, table, columns, rows.flat());
}

const EXPORT_COLUMNS = ['type', 'at', 'external_id', 'campaign_id', 'delivery_id', 'data'];

export function insertExportEvents(stmts: StatementCache, events: Omit<ExportEvent, 'seq'>[]): void {
  // Straight into one flat list: a batch writes a few export events per event it takes.
  const values: unknown[] = [];
  for (const event of events) {
    values.push(event.type, event.at, event.externalId ?? null, event.campaignId ?? null, event.deliveryId ?? null, JSON.stringify(event.data));
  }
  insertValues(stmts, 'export_events', EXPORT_COLUMNS, values);
}

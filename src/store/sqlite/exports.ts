// Appending to the export stream; runs inside the caller's transaction.
import type { ExportEvent } from '../../domain/index.js';
import type { StatementCache } from './rows.js';

/** Rows per multi-row INSERT: few statements per batch, a bounded number of prepared shapes. */
const ROWS_PER_INSERT = 64;

/** Inserts `rows` (values in `columns` order) with multi-row INSERT statements, in order. */
export function insertRows(stmts: StatementCache, table: string, columns: readonly string[], rows: readonly unknown[][]): void {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(chunk.length).fill(tuple).join(', ')}`;
    stmts.get(sql).run(chunk.flat());
  }
}

export function insertExportEvents(stmts: StatementCache, events: Omit<ExportEvent, 'seq'>[]): void {
  insertRows(
    stmts,
    'export_events',
    ['type', 'at', 'external_id', 'campaign_id', 'delivery_id', 'data'],
    events.map((event) => [
      event.type,
      event.at,
      event.externalId ?? null,
      event.campaignId ?? null,
      event.deliveryId ?? null,
      JSON.stringify(event.data),
    ]),
  );
}

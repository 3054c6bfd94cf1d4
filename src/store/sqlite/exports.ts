// Appending to the export stream; runs inside the caller's transaction.
import type { ExportEvent } from '../types.js';
import type { StatementCache } from './rows.js';

export function insertExportEvents(stmts: StatementCache, events: Omit<ExportEvent, 'seq'>[]): void {
  const insert = stmts.get(
    `INSERT INTO export_events (type, at, external_id, campaign_id, delivery_id, data)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  for (const event of events) {
    insert.run(
      event.type,
      event.at,
      event.externalId ?? null,
      event.campaignId ?? null,
      event.deliveryId ?? null,
      JSON.stringify(event.data),
    );
  }
}

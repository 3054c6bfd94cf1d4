// Row shapes of the SQLite tables (JSON columns as text) and their mapping to the contract's types.
import type Database from 'better-sqlite3';
import * as Shared from '../row-mapping.js';
import type { Attributes, ExportEvent } from '../../domain/index.js';

export interface ProfileRow extends Shared.ProfileRow<string> {
  /** Program memberships (see memberships.ts). */
  memberships: string | null;
}
/**
 * A profile's own columns, for reads that map rows with toProfile: not the memberships column,
 * which carries a JSON document for a profile in several programs.
 */
export const PROFILE_COLUMNS = 'external_id, attributes, created_at, updated_at';
export type DeliveryRow = Shared.DeliveryRow<string>;
export type CampaignRow = Shared.CampaignRow<string>;
export type AttemptRow = Shared.AttemptRow<string>;

export interface ExportRow extends Shared.ExportRowBase<string> {
  seq: number;
}

const mapping = Shared.rowMapping<string>((text) => JSON.parse(text) as Attributes);
export const { toProfile, toDelivery, toDeliveryWithAttempts, toCampaign } = mapping;
export const toExportEvent = (row: ExportRow): ExportEvent => mapping.toExportEvent(row, row.seq);

/** Prepared statements compiled once per connection and reused. */
export class StatementCache {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

// Set-at-a-time reads and writes for applyTrack: one query per table for the whole batch instead
// of one per user, and multi-row INSERTs for what it writes. Runs inside the caller's transaction.
import { insertRows } from './exports.js';
import type { DeliveryRow, ProfileRow, StatementCache } from './rows.js';

/** Rows of `table` whose `column` is one of `keys`, read with one statement (ids as a JSON array). */
function rowsFor<T>(stmts: StatementCache, sql: string, keys: readonly string[]): T[] {
  if (keys.length === 0) return [];
  return stmts.get(sql).all(JSON.stringify(keys)) as T[];
}

/** A stored profile as a change reads it. */
export type StoredProfileRow = Pick<ProfileRow, 'external_id' | 'attributes' | 'memberships'>;

export function profilesOf(stmts: StatementCache, ids: readonly string[]): Map<string, StoredProfileRow> {
  const rows = rowsFor<StoredProfileRow>(stmts, 'SELECT external_id, attributes, memberships FROM profiles WHERE external_id IN (SELECT value FROM json_each(?))', ids);
  return new Map(rows.map((row) => [row.external_id, row]));
}

/** Each user's campaign → last enqueued time (users without any are absent). */
export function lastEnqueuedOf(stmts: StatementCache, ids: readonly string[]): Map<string, Record<string, string>> {
  const rows = rowsFor<{ external_id: string; campaign_id: string; last_enqueued_at: string }>(
    stmts,
    `SELECT external_id, campaign_id, last_enqueued_at FROM campaign_eligibility
     WHERE external_id IN (SELECT value FROM json_each(?))`,
    ids,
  );
  const byUser = new Map<string, Record<string, string>>();
  for (const row of rows) {
    let entry = byUser.get(row.external_id);
    if (!entry) byUser.set(row.external_id, (entry = {}));
    entry[row.campaign_id] = row.last_enqueued_at;
  }
  return byUser;
}

/** Rows per multi-row upsert (as insertRows). */
const ROWS_PER_UPSERT = 64;

/** Multi-row INSERT … ON CONFLICT (key) DO UPDATE SET each of `update` from the new row; rows apply in order. */
export function upsertRows(
  stmts: StatementCache,
  table: string,
  columns: readonly string[],
  key: string,
  update: readonly string[],
  rows: readonly unknown[][],
): void {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const set = update.map((column) => `${column} = excluded.${column}`).join(', ');
  for (let start = 0; start < rows.length; start += ROWS_PER_UPSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_UPSERT);
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(chunk.length).fill(tuple).join(', ')}
      ON CONFLICT (${key}) DO UPDATE SET ${set}`;
    stmts.get(sql).run(chunk.flat());
  }
}


const DELIVERY_COLUMNS = [
  'id',
  'campaign_id',
  'external_id',
  'idempotency_key',
  'status',
  'attempts',
  'trigger',
  'next_attempt_at',
  'lease_owner',
  'lease_until',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof DeliveryRow)[];

/** The rows one applyTrack writes, gathered per table and written with few statements. */
export class TrackWrites {
  /** [external_id, attributes, memberships, created_at, updated_at] of users without a profile. */
  readonly newProfiles: unknown[][] = [];
  /** [attributes, memberships, updated_at, external_id] of stored profiles whose attributes and memberships changed. */
  readonly changedProfiles: unknown[][] = [];
  /** [attributes, updated_at, external_id] of stored profiles whose attributes alone changed. */
  readonly changedAttributes: unknown[][] = [];
  /** [memberships, external_id] of profiles whose attributes did not change. */
  readonly membershipColumns: unknown[][] = [];
  private readonly deliveries: unknown[][] = [];
  private readonly eligibility: unknown[][] = [];

  addDelivery(row: DeliveryRow): void {
    this.deliveries.push(DELIVERY_COLUMNS.map((column) => row[column]));
    this.eligibility.push([row.campaign_id, row.external_id, row.created_at]);
  }

  flush(stmts: StatementCache): void {
    // The batch read every profile first (and holds the write lock), so it knows which exist: an
    // UPDATE by key costs about a quarter less than an upsert that first tries to insert.
    insertRows(stmts, 'profiles', ['external_id', 'attributes', 'memberships', 'created_at', 'updated_at'], this.newProfiles);
    const changed = stmts.get('UPDATE profiles SET attributes = ?, memberships = ?, updated_at = ? WHERE external_id = ?');
    for (const row of this.changedProfiles) changed.run(row);
    const attributes = stmts.get('UPDATE profiles SET attributes = ?, updated_at = ? WHERE external_id = ?');
    for (const row of this.changedAttributes) attributes.run(row);
    const memberships = stmts.get('UPDATE profiles SET memberships = ? WHERE external_id = ?');
    for (const row of this.membershipColumns) memberships.run(row);
    insertRows(stmts, 'deliveries', DELIVERY_COLUMNS, this.deliveries);
    upsertRows(
      stmts,
      'campaign_eligibility',
      ['campaign_id', 'external_id', 'last_enqueued_at'],
      'campaign_id, external_id',
      ['last_enqueued_at'],
      this.eligibility,
    );
  }
}

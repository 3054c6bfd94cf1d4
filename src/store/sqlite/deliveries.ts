// Outbox operations for SQLite: claiming with leases, renewal, release, replay and the log.
// Each exported function runs inside a transaction opened by the store.
import { assertReplayable, replayChanges, type Delivery, type DeliveryFilter, type DeliveryWithAttempts, type ReplayOptions } from '../../domain/index.js';
import { insertExportEvents } from './exports.js';
import { refreshEligibility } from './outcomes.js';
import { type AttemptRow, type DeliveryRow, type StatementCache, toDelivery, toDeliveryWithAttempts } from './rows.js';

interface DueRow {
  id: string;
  due: string;
}

export function claimInTransaction(
  stmts: StatementCache,
  owner: string,
  limit: number,
  now: Date,
  leaseMs: number,
): Delivery[] {
  const at = now.toISOString();
  const max = Math.max(0, Math.floor(limit));
  if (max === 0) return [];
  // Due queued rows, plus rows a crashed or stalled worker left in `sending` past their lease:
  // each read in its index's order and cut at `max`, so a claim never sorts the whole backlog.
  const queued = stmts
    .get(
      `SELECT id, next_attempt_at AS due FROM deliveries WHERE status = 'queued' AND next_attempt_at <= ?
       ORDER BY next_attempt_at, id LIMIT ?`,
    )
    .all(at, max) as DueRow[];
  const lapsed = stmts
    .get(
      `SELECT id, lease_until AS due FROM deliveries WHERE status = 'sending' AND lease_until <= ?
       ORDER BY lease_until, id LIMIT ?`,
    )
    .all(at, max) as DueRow[];
  const chosen = mergeByDue(queued, lapsed, max);
  if (chosen.length === 0) return [];
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  const rows = stmts
    .get(
      `UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_until = ?, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) RETURNING *`,
    )
    .all(owner, leaseUntil, at, JSON.stringify(chosen)) as DeliveryRow[];
  // RETURNING has no defined order: give the rows back in due order.
  const byId = new Map(rows.map((row) => [row.id, row]));
  return chosen.map((id) => toDelivery(byId.get(id)!));
}

/** The first `max` ids of two lists sorted by (due, id), in that order. */
function mergeByDue(a: DueRow[], b: DueRow[], max: number): string[] {
  const ids: string[] = [];
  let i = 0;
  let j = 0;
  while (ids.length < max && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    const takeA = y === undefined || (x !== undefined && (x.due < y.due || (x.due === y.due && x.id < y.id)));
    ids.push(takeA ? a[i++]!.id : b[j++]!.id);
  }
  return ids;
}

export function renewInTransaction(stmts: StatementCache, owner: string, ids: string[], until: Date): number {
  const renew = stmts.get(
    `UPDATE deliveries SET lease_until = ? WHERE id = ? AND status = 'sending' AND lease_owner = ?`,
  );
  let renewed = 0;
  for (const id of ids) renewed += renew.run(until.toISOString(), id, owner).changes;
  return renewed;
}

/** Fenced by owner: a delivery another worker took over (or that finished) is not put back. */
export function releaseInTransaction(stmts: StatementCache, owner: string, ids: string[], now: Date): void {
  const release = stmts.get(
    `UPDATE deliveries SET status = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?
     WHERE id = ? AND status = 'sending' AND lease_owner = ?`,
  );
  for (const id of ids) release.run(now.toISOString(), id, owner);
}

export function replayInTransaction(stmts: StatementCache, id: string, now: Date, options?: ReplayOptions): Delivery | undefined {
  const row = stmts.get('SELECT * FROM deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
  if (!row) return undefined;
  assertReplayable(id, row.status, options);
  const set = replayChanges(now);
  const at = set.updated_at;
  // Same idempotency key: a receiver that already applied the request can recognise the repeat.
  const replayed = stmts
    .get(
      `UPDATE deliveries SET status = @status, next_attempt_at = @next_attempt_at, first_attempt_at = @first_attempt_at,
         abort_reason = @abort_reason, lease_owner = @lease_owner, lease_until = @lease_until, updated_at = @updated_at
       WHERE id = @id RETURNING *`,
    )
    .get({ ...set, id }) as DeliveryRow;
  refreshEligibility(stmts, { campaignId: row.campaign_id, externalId: row.external_id });
  insertExportEvents(stmts, [
    {
      type: 'webhook_replayed',
      at,
      externalId: row.external_id,
      campaignId: row.campaign_id,
      deliveryId: row.id,
      data: { previous_status: row.status },
    },
  ]);
  return toDelivery(replayed);
}

export function deliveryWithAttempts(stmts: StatementCache, id: string): DeliveryWithAttempts | undefined {
  const row = stmts.get('SELECT * FROM deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
  if (!row) return undefined;
  const attempts = stmts.get('SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY id').all(id) as AttemptRow[];
  return toDeliveryWithAttempts(row, attempts);
}

/** The earliest queued due time or lease expiry: a sleeping worker also wakes to recover a crashed worker's sends. */
export function nextDueTime(stmts: StatementCache): string | undefined {
  const row = stmts
    .get(
      `SELECT MIN(due) AS due FROM (
         SELECT MIN(next_attempt_at) AS due FROM deliveries WHERE status = 'queued'
         UNION ALL
         SELECT MIN(lease_until) AS due FROM deliveries WHERE status = 'sending'
       )`,
    )
    .get() as { due: string | null };
  return row.due ?? undefined;
}

export function listDeliveryRows(stmts: StatementCache, filter: DeliveryFilter): Delivery[] {
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.campaignId !== undefined) (where.push('campaign_id = @campaignId'), (params.campaignId = filter.campaignId));
  if (filter.externalId !== undefined) (where.push('external_id = @externalId'), (params.externalId = filter.externalId));
  if (filter.status !== undefined) (where.push('status = @status'), (params.status = filter.status));
  if (filter.beforeId !== undefined) (where.push('id < @beforeId'), (params.beforeId = filter.beforeId));
  params.limit = Math.min(Math.max(1, Math.floor(filter.limit ?? 100)), 1000);
  const sql = `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id DESC LIMIT @limit`;
  return (stmts.get(sql).all(params) as DeliveryRow[]).map(toDelivery);
}

// Outbox operations for SQLite: claiming with leases, recording outcomes in batches, replay.
// Each exported function runs inside a transaction opened by the store.
import { assertReplayable, replayChanges, type ReplayOptions } from '../../domain/index.js';
import type Database from 'better-sqlite3';
import type { Delivery, DeliveryAttempt, DeliveryFilter, DeliveryOutcome, ExportEvent } from '../../domain/index.js';
import type { RecordOutcomesOptions, RecordOutcomesResult } from '../ports.js';
import { NOT_RECEIVED, outcomeExportEvents } from '../outcome-exports.js';
import { insertExportEvents, insertRows } from './exports.js';
import { type AttemptRow, type DeliveryRow, type StatementCache, toDelivery, toDeliveryWithAttempts } from './rows.js';
import { applyTrackInTransaction } from './track.js';

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

/**
 * Re-eligibility counts sends a user received or may still receive: once a delivery ends without
 * reaching the user (aborted, failed, dead), the user's last-enqueued time for that campaign falls
 * back to the latest delivery that is still live or delivered (none: the user is eligible again).
 */
function refreshEligibility(stmts: StatementCache, campaignId: string, externalId: string): void {
  const row = stmts
    .get(
      `SELECT MAX(created_at) AS last FROM deliveries
       WHERE external_id = ? AND campaign_id = ? AND status IN ('queued', 'sending', 'delivered')`,
    )
    .get(externalId, campaignId) as { last: string | null };
  if (row.last === null) {
    stmts.get('DELETE FROM campaign_eligibility WHERE campaign_id = ? AND external_id = ?').run(campaignId, externalId);
  } else {
    stmts
      .get(
        `INSERT INTO campaign_eligibility (campaign_id, external_id, last_enqueued_at) VALUES (?, ?, ?)
         ON CONFLICT (campaign_id, external_id) DO UPDATE SET last_enqueued_at = excluded.last_enqueued_at`,
      )
      .run(campaignId, externalId, row.last);
  }
}

/**
 * The delivery row's request column for an outcome: an outcome with an attempt keeps its request
 * in the attempt row (the column is cleared, so the attempt's shows); one without an attempt
 * writes its log here; one without a log leaves the column as it is.
 */
function requestColumn(outcome: DeliveryOutcome): { keep_request: number; request: string | null } {
  if (!outcome.request) return { keep_request: 1, request: null };
  return { keep_request: 0, request: outcome.attempt ? null : JSON.stringify(outcome.request) };
}

/** What an outcome's update reports back (no SELECT: the update computes from the row itself). */
interface UpdatedRow {
  id: string;
  campaign_id: string;
  external_id: string;
}

/** Returns the ids whose outcome was written (with an owner, those it still held). */
export function recordOutcomesInTransaction(
  stmts: StatementCache,
  outcomes: DeliveryOutcome[],
  now: Date,
  options: RecordOutcomesOptions = {},
): Set<string> {
  const at = now.toISOString();
  const recorded = new Set<string>();
  const exports: Omit<ExportEvent, 'seq'>[] = [];
  const attempts: unknown[][] = [];
  // The lease is checked in the WHERE clause: an outcome for a delivery whose lease was lost
  // (expired and taken over, or released) changes nothing, and the current holder decides.
  const update = stmts.get(
    `UPDATE deliveries SET status = @status,
       attempts = CASE WHEN @attempt IS NULL THEN attempts ELSE MAX(attempts + 1, @attempt) END,
       next_attempt_at = COALESCE(@next_attempt_at, next_attempt_at),
       first_attempt_at = COALESCE(first_attempt_at, @first_attempt_at),
       last_error = CASE WHEN @error IS NOT NULL THEN @error WHEN @status = 'delivered' THEN NULL ELSE last_error END,
       abort_reason = CASE WHEN @abort_reason IS NOT NULL THEN @abort_reason WHEN @status = 'aborted' THEN abort_reason ELSE NULL END,
       request = CASE WHEN @keep_request THEN request ELSE @request END, lease_owner = NULL, lease_until = NULL, updated_at = @updated_at
     WHERE id = @id AND (@owner IS NULL OR (status = 'sending' AND lease_owner = @owner))
     RETURNING id, campaign_id, external_id`,
  );
  const exists = stmts.get('SELECT 1 FROM deliveries WHERE id = ?');
  for (const outcome of outcomes) {
    if (outcome.status === 'retry' && !outcome.nextAttemptAt) {
      throw new Error(`recordOutcomes: delivery ${outcome.id} has status retry but no nextAttemptAt`);
    }
    const attempt = outcome.attempt;
    const error = outcome.error ?? attempt?.error ?? null;
    const row = update.get({
      id: outcome.id,
      owner: options.owner ?? null,
      status: outcome.status === 'retry' ? 'queued' : outcome.status,
      attempt: attempt ? attempt.attempt : null,
      next_attempt_at: outcome.status === 'retry' ? new Date(outcome.nextAttemptAt!).toISOString() : null,
      first_attempt_at: outcome.firstAttemptAt ?? attempt?.at ?? null,
      error,
      abort_reason: outcome.abortReason ?? null,
      ...requestColumn(outcome),
      updated_at: at,
    }) as UpdatedRow | undefined;
    if (!row) {
      if (!exists.get(outcome.id)) throw new Error(`recordOutcomes: unknown delivery ${outcome.id}`);
      continue;
    }
    recorded.add(row.id);
    if (attempt) {
      const request = outcome.request ? JSON.stringify(outcome.request) : null;
      const extras = outcome.messageExtras ? JSON.stringify(outcome.messageExtras) : null;
      attempts.push([row.id, attempt.attempt, attempt.at, attempt.statusCode ?? null, attempt.latencyMs, attempt.responseBody ?? null, attempt.error ?? null, request, extras]);
    }
    if (NOT_RECEIVED.has(outcome.status)) refreshEligibility(stmts, row.campaign_id, row.external_id);
    exports.push(...outcomeExportEvents(outcome, row, at));
  }
  insertRows(
    stmts,
    'delivery_attempts',
    ['delivery_id', 'attempt', 'at', 'status_code', 'latency_ms', 'response_body', 'error', 'request', 'message_extras'],
    attempts,
  );
  insertExportEvents(stmts, exports);
  return recorded;
}

/**
 * The on-delivered updates of the outcomes just written (`recorded`), in the same transaction,
 * each in a savepoint: an update the profile refuses rolls back alone and is reported.
 */
export function applyDeliveredUpdates(
  db: Database.Database,
  stmts: StatementCache,
  recorded: ReadonlySet<string>,
  options: RecordOutcomesOptions,
  now: Date,
): RecordOutcomesResult {
  const result: RecordOutcomesResult = { deliveries: [], refused: [] };
  for (const update of options.updates ?? []) {
    if (!recorded.has(update.deliveryId)) continue;
    try {
      // Nested transaction: a savepoint.
      const applied = db.transaction(() => applyTrackInTransaction(stmts, update.batch, options.planner ?? (() => []), now, options.applyOptions))();
      result.deliveries.push(...applied.deliveries);
    } catch (error) {
      result.refused.push({ deliveryId: update.deliveryId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

export function renewInTransaction(stmts: StatementCache, owner: string, ids: string[], until: Date): number {
  const renew = stmts.get(
    `UPDATE deliveries SET lease_until = ? WHERE id = ? AND status = 'sending' AND lease_owner = ?`,
  );
  let renewed = 0;
  for (const id of ids) renewed += renew.run(until.toISOString(), id, owner).changes;
  return renewed;
}

export function releaseInTransaction(stmts: StatementCache, ids: string[], now: Date): void {
  const release = stmts.get(
    `UPDATE deliveries SET status = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = ?
     WHERE id = ? AND status = 'sending'`,
  );
  for (const id of ids) release.run(now.toISOString(), id);
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
  refreshEligibility(stmts, row.campaign_id, row.external_id);
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

export function deliveryWithAttempts(stmts: StatementCache, id: string): (Delivery & { attempts_log: DeliveryAttempt[] }) | undefined {
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

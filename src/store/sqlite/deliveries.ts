// Outbox operations for SQLite: claiming with leases, recording outcomes in batches, replay.
// Each exported function runs inside a transaction opened by the store.
import type { Attributes, Delivery, DeliveryFilter, DeliveryOutcome, ExportEvent, RecordOutcomesOptions } from '../types.js';
import { insertExportEvents } from './exports.js';
import { type DeliveryRow, type StatementCache, toDelivery } from './rows.js';

export function claimInTransaction(
  stmts: StatementCache,
  owner: string,
  limit: number,
  now: Date,
  leaseMs: number,
): Delivery[] {
  const at = now.toISOString();
  // Due queued rows, plus rows a crashed or stalled worker left in `sending` past their lease.
  const ids = stmts
    .get(
      `SELECT id FROM (
         SELECT id, next_attempt_at AS due FROM deliveries WHERE status = 'queued' AND next_attempt_at <= @at
         UNION ALL
         SELECT id, lease_until AS due FROM deliveries WHERE status = 'sending' AND lease_until <= @at
       ) ORDER BY due, id LIMIT @limit`,
    )
    .all({ at, limit: Math.max(0, Math.floor(limit)) }) as { id: string }[];
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  const claim = stmts.get(
    `UPDATE deliveries SET status = 'sending', lease_owner = ?, lease_until = ?, updated_at = ?
     WHERE id = ? RETURNING *`,
  );
  return ids.map(({ id }) => toDelivery(claim.get(owner, leaseUntil, at, id) as DeliveryRow));
}

const exportType: Record<DeliveryOutcome['status'], string> = {
  delivered: 'webhook_delivered',
  failed: 'webhook_failed',
  retry: 'webhook_failed',
  dead: 'webhook_dead',
  aborted: 'webhook_aborted',
};

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

const NOT_RECEIVED = new Set<DeliveryOutcome['status']>(['aborted', 'failed', 'dead']);

export function recordOutcomesInTransaction(
  stmts: StatementCache,
  outcomes: DeliveryOutcome[],
  now: Date,
  options: RecordOutcomesOptions = {},
): void {
  const at = now.toISOString();
  const exports: Omit<ExportEvent, 'seq'>[] = [];
  const load = stmts.get('SELECT * FROM deliveries WHERE id = ?');
  const update = stmts.get(
    `UPDATE deliveries SET status = @status, attempts = @attempts, next_attempt_at = @next_attempt_at,
       first_attempt_at = @first_attempt_at, last_error = @last_error, abort_reason = @abort_reason,
       request = @request, lease_owner = NULL, lease_until = NULL, updated_at = @updated_at
     WHERE id = @id`,
  );
  const insertAttempt = stmts.get(
    `INSERT INTO delivery_attempts (delivery_id, attempt, at, status_code, latency_ms, response_body, error)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const outcome of outcomes) {
    const row = load.get(outcome.id) as DeliveryRow | undefined;
    if (!row) throw new Error(`recordOutcomes: unknown delivery ${outcome.id}`);
    if (outcome.status === 'retry' && !outcome.nextAttemptAt) {
      throw new Error(`recordOutcomes: delivery ${outcome.id} has status retry but no nextAttemptAt`);
    }
    // The lease was lost (expired and taken over, or released): the current holder decides.
    if (options.owner !== undefined && !(row.status === 'sending' && row.lease_owner === options.owner)) continue;
    const attempt = outcome.attempt;
    if (attempt) {
      insertAttempt.run(
        row.id,
        attempt.attempt,
        attempt.at,
        attempt.statusCode ?? null,
        attempt.latencyMs,
        attempt.responseBody ?? null,
        attempt.error ?? null,
      );
    }
    const firstAttemptAt = row.first_attempt_at ?? outcome.firstAttemptAt ?? attempt?.at ?? null;
    update.run({
      id: row.id,
      status: outcome.status === 'retry' ? 'queued' : outcome.status,
      attempts: attempt ? Math.max(row.attempts + 1, attempt.attempt) : row.attempts,
      next_attempt_at: outcome.status === 'retry' ? new Date(outcome.nextAttemptAt!).toISOString() : row.next_attempt_at,
      first_attempt_at: firstAttemptAt,
      last_error: outcome.error ?? attempt?.error ?? (outcome.status === 'delivered' ? null : row.last_error),
      abort_reason: outcome.abortReason ?? (outcome.status === 'aborted' ? row.abort_reason : null),
      request: outcome.request ? JSON.stringify(outcome.request) : row.request,
      updated_at: at,
    });
    if (NOT_RECEIVED.has(outcome.status)) refreshEligibility(stmts, row.campaign_id, row.external_id);
    const base = { at, externalId: row.external_id, campaignId: row.campaign_id, deliveryId: row.id };
    if (attempt) {
      const data: Attributes = { attempt: attempt.attempt, latency_ms: attempt.latencyMs };
      if (attempt.statusCode !== undefined) data.status_code = attempt.statusCode;
      exports.push({ ...base, type: 'webhook_sent', data });
    }
    const data: Attributes = { status: outcome.status };
    if (attempt?.statusCode !== undefined) data.status_code = attempt.statusCode;
    if (outcome.error ?? attempt?.error) data.error = (outcome.error ?? attempt?.error)!;
    if (outcome.status === 'aborted') data.reason = outcome.abortReason ?? null;
    if (outcome.status === 'retry') data.next_attempt_at = new Date(outcome.nextAttemptAt!).toISOString();
    exports.push({ ...base, type: exportType[outcome.status], data });
  }
  insertExportEvents(stmts, exports);
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

export function replayInTransaction(stmts: StatementCache, id: string, now: Date): Delivery | undefined {
  const row = stmts.get('SELECT * FROM deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
  if (!row) return undefined;
  if (row.status === 'queued' || row.status === 'sending') {
    throw new Error(`delivery ${id} is ${row.status}: only finished deliveries can be replayed`);
  }
  const at = now.toISOString();
  // Same idempotency key: a receiver that already applied the request can recognise the repeat.
  const replayed = stmts
    .get(
      `UPDATE deliveries SET status = 'queued', attempts = 0, next_attempt_at = ?, abort_reason = NULL,
         lease_owner = NULL, lease_until = NULL, updated_at = ?
       WHERE id = ? RETURNING *`,
    )
    .get(at, at, id) as DeliveryRow;
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

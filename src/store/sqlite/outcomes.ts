// Recording outcomes on SQLite: read the rows (the write lock is held), apply the shared rule
// (rules/outcome.ts), write the results with a few set-at-a-time statements.
import type { DeliveryOutcome } from '../../domain/index.js';
import { LIVE_STATUSES_SQL, eligibilityWrite, type EligibilityKey } from '../rules/eligibility.js';
import { type LockedDelivery, type OutcomesPlan, planOutcomes } from '../rules/outcome.js';
import { insertExportEvents, insertRows } from './exports.js';
import type { StatementCache } from './rows.js';

type Row = LockedDelivery<string>;

const LOCKED_COLUMNS = `id, campaign_id, external_id, status, attempts, next_attempt_at, first_attempt_at, last_error,
  failure_code, abort_reason, request, lease_owner, lease_until, updated_at`;

/** Writes the outcomes the rule accepts; returns their delivery ids. */
export function recordOutcomesInTransaction(stmts: StatementCache, outcomes: DeliveryOutcome[], now: Date, owner?: string): Set<string> {
  const ids = [...new Set(outcomes.map((o) => o.id))];
  const rows = stmts
    .get(`SELECT ${LOCKED_COLUMNS} FROM deliveries WHERE id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(ids)) as Row[];
  const plan = planOutcomes(new Map(rows.map((row) => [row.id, row])), outcomes, owner, now.toISOString(), JSON.stringify);
  writeStates(stmts, plan);
  insertRows(
    stmts,
    'delivery_attempts',
    ['delivery_id', 'attempt', 'at', 'status_code', 'latency_ms', 'response_body', 'error', 'request', 'message_extras'],
    plan.attempts.map(({ deliveryId, attempt, request, messageExtras }) => [
      deliveryId,
      attempt.attempt,
      attempt.at,
      attempt.statusCode ?? null,
      attempt.latencyMs,
      attempt.responseBody ?? null,
      attempt.error ?? null,
      request ? JSON.stringify(request) : null,
      messageExtras ? JSON.stringify(messageExtras) : null,
    ]),
  );
  for (const key of plan.eligibility) refreshEligibility(stmts, key);
  insertExportEvents(stmts, plan.exports);
  return new Set(plan.changed.keys());
}

/** One UPDATE for the batch: the new states travel as one JSON array of rows. */
function writeStates(stmts: StatementCache, plan: OutcomesPlan<string>): void {
  if (plan.changed.size === 0) return;
  const states = [...plan.changed.values()].map((r) => [
    r.id,
    r.status,
    r.attempts,
    r.next_attempt_at,
    r.first_attempt_at,
    r.last_error,
    r.abort_reason,
    r.request,
    r.updated_at,
    r.failure_code,
  ]);
  stmts
    .get(
      `UPDATE deliveries SET status = v.value ->> 1, attempts = v.value ->> 2, next_attempt_at = v.value ->> 3,
         first_attempt_at = v.value ->> 4, last_error = v.value ->> 5, abort_reason = v.value ->> 6,
         request = v.value ->> 7, lease_owner = NULL, lease_until = NULL, updated_at = v.value ->> 8, failure_code = v.value ->> 9
       FROM json_each(?) AS v WHERE deliveries.id = v.value ->> 0`,
    )
    .run(JSON.stringify(states));
}

/** Re-eligibility of one pair (see rules/eligibility.ts). */
export function refreshEligibility(stmts: StatementCache, { campaignId, externalId }: EligibilityKey): void {
  const { last } = stmts
    .get(`SELECT MAX(created_at) AS last FROM deliveries WHERE external_id = ? AND campaign_id = ? AND status IN (${LIVE_STATUSES_SQL})`)
    .get(externalId, campaignId) as { last: string | null };
  const write = eligibilityWrite(last);
  if (write.action === 'delete') {
    stmts.get('DELETE FROM campaign_eligibility WHERE campaign_id = ? AND external_id = ?').run(campaignId, externalId);
  } else {
    stmts
      .get(
        `INSERT INTO campaign_eligibility (campaign_id, external_id, last_enqueued_at) VALUES (?, ?, ?)
         ON CONFLICT (campaign_id, external_id) DO UPDATE SET last_enqueued_at = excluded.last_enqueued_at`,
      )
      .run(campaignId, externalId, write.lastEnqueuedAt);
  }
}

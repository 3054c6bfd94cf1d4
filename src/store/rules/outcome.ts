// How an outcome changes a delivery row: the one rule both backends apply. Each backend reads the
// rows it locked, runs `applyOutcome`, and writes the state it returns.
import type { Attributes, DeliveryOutcome, MessageExtras, NewExportEvent } from '../../domain/index.js';
import type { DeliveryRow } from '../row-mapping.js';
import { type EligibilityKey, eligibilityKeys, NOT_RECEIVED } from './eligibility.js';
import { outcomeExportEvents } from './outcome-exports.js';

/** The columns of a delivery row an outcome may change; `J` is how the backend holds JSON. */
export type DeliveryState<J> = Pick<
  DeliveryRow<J>,
  | 'status'
  | 'attempts'
  | 'next_attempt_at'
  | 'first_attempt_at'
  | 'last_error'
  | 'failure_code'
  | 'abort_reason'
  | 'request'
  | 'lease_owner'
  | 'lease_until'
  | 'updated_at'
>;

/** Rejects outcomes that cannot be written at all (before anything is). */
export function checkOutcomes(outcomes: readonly DeliveryOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.status === 'retry' && !outcome.nextAttemptAt) {
      throw new Error(`recordOutcomes: delivery ${outcome.id} has status retry but no nextAttemptAt`);
    }
  }
}

/**
 * Whether an outcome may be written to this row. With an owner, only while the row is still
 * `sending` under that owner's lease: a lease that lapsed and was taken over (or released) leaves
 * the decision to the current holder, so a late verdict never overwrites it.
 */
export function holdsLease(row: Pick<DeliveryState<unknown>, 'status' | 'lease_owner'>, owner: string | undefined): boolean {
  return owner === undefined || (row.status === 'sending' && row.lease_owner === owner);
}

/**
 * The row after `outcome`, recorded at `at`. The lease is cleared; a retry is queued again at its
 * next attempt time; attempts count up (an attempt number ahead of the count wins); the first
 * attempt time is kept once set; the last error is the outcome's (a delivery clears it, anything
 * else keeps the previous one) and its failure code goes with it (an outcome that gives an error
 * without a code leaves none); an abort reason lives only on an aborted row. The request log: an
 * outcome with an attempt keeps its request in the attempt row (the column is cleared, so the
 * attempt's shows); one without an attempt writes its log here; one without a log leaves it.
 */
export function applyOutcome<J>(row: DeliveryState<J>, outcome: DeliveryOutcome, at: string, encode: (log: Attributes) => J): DeliveryState<J> {
  const attempt = outcome.attempt;
  const retry = outcome.status === 'retry';
  const error = outcome.error ?? attempt?.error;
  const keepsError = error === undefined && outcome.status !== 'delivered';
  return {
    status: retry ? 'queued' : (outcome.status as DeliveryState<J>['status']),
    attempts: attempt ? Math.max(row.attempts + 1, attempt.attempt) : row.attempts,
    next_attempt_at: retry ? new Date(outcome.nextAttemptAt!).toISOString() : row.next_attempt_at,
    first_attempt_at: row.first_attempt_at ?? outcome.firstAttemptAt ?? attempt?.at ?? null,
    last_error: error ?? (keepsError ? row.last_error : null),
    failure_code: outcome.code ?? (keepsError ? row.failure_code : null),
    abort_reason: outcome.abortReason ?? (outcome.status === 'aborted' ? row.abort_reason : null),
    request: outcome.request ? (attempt ? null : encode(outcome.request)) : row.request,
    lease_owner: null,
    lease_until: null,
    updated_at: at,
  };
}

/** A delivery row as locked for an outcome: its state and what identifies it. */
export type LockedDelivery<J> = DeliveryState<J> & Pick<DeliveryRow<J>, 'id' | 'campaign_id' | 'external_id'>;

/**
 * An attempt row to append; `request` is the outcome's log and `messageExtras` the pairs of the
 * send it made (both kept in the attempt row).
 */
export interface AttemptWrite {
  deliveryId: string;
  attempt: NonNullable<DeliveryOutcome['attempt']>;
  request: Attributes | undefined;
  messageExtras: MessageExtras | undefined;
}

/** Everything a batch of outcomes writes, worked out from the rows it locked. */
export interface OutcomesPlan<J> {
  /** Rows whose outcome is written, in their final state (by id, in first-outcome order). */
  changed: Map<string, LockedDelivery<J>>;
  attempts: AttemptWrite[];
  /** Pairs whose re-eligibility is worked out again (a send that did not reach its user). */
  eligibility: EligibilityKey[];
  exports: NewExportEvent[];
}

/**
 * Applies `outcomes` in order to the locked rows (a later outcome for the same delivery sees the
 * earlier one). Outcomes for rows the owner no longer holds are skipped; an unknown delivery is
 * an error and nothing is written.
 */
export function planOutcomes<J>(
  rows: ReadonlyMap<string, LockedDelivery<J>>,
  outcomes: readonly DeliveryOutcome[],
  owner: string | undefined,
  at: string,
  encode: (log: Attributes) => J,
): OutcomesPlan<J> {
  checkOutcomes(outcomes);
  const plan: OutcomesPlan<J> = { changed: new Map(), attempts: [], eligibility: [], exports: [] };
  for (const outcome of outcomes) {
    const row = plan.changed.get(outcome.id) ?? rows.get(outcome.id);
    if (!row) throw new Error(`recordOutcomes: unknown delivery ${outcome.id}`);
    if (!holdsLease(row, owner)) continue;
    plan.changed.set(row.id, { ...row, ...applyOutcome(row, outcome, at, encode) });
    if (outcome.attempt) {
      plan.attempts.push({ deliveryId: row.id, attempt: outcome.attempt, request: outcome.request, messageExtras: outcome.messageExtras });
    }
    if (NOT_RECEIVED.has(outcome.status)) plan.eligibility.push({ campaignId: row.campaign_id, externalId: row.external_id });
    plan.exports.push(...outcomeExportEvents(outcome, row, at));
  }
  plan.eligibility = eligibilityKeys(plan.eligibility);
  return plan;
}

// The last stage of a send: what an attempted send means for its delivery. Pure: the retry
// decision is the dispatch folder's decideNextAttempt, the failure code comes from failure-codes.ts.
import { decideNextAttempt, toAttemptRow, type RetryPolicy } from '../dispatch/index.js';
import type { Delivery, DeliveryOutcome, TrackBatch } from '../domain/index.js';
import { attemptFailureCode } from './failure-codes.js';
import type { Attempted } from './send-stages.js';

/** An outcome to commit, with the profile update its success brings (on_delivered_update). */
export interface Settled {
  outcome: DeliveryOutcome;
  update?: TrackBatch;
}

export interface OutcomeRules {
  retryPolicy: RetryPolicy;
  /** Attribute updates to apply once the delivery succeeded (campaign `on_delivered_update`). */
  deliveredUpdate(delivery: Delivery): TrackBatch | undefined;
}

/** How soon a send that waited for the database (nothing sent) is claimed again. */
export const DATABASE_AWAY_RETRY_MS = 1000;

export function outcomeOf(delivery: Delivery, attempted: Attempted, rules: OutcomeRules, now: Date): Settled {
  const id = delivery.id;
  const request = attempted.log ? { request: attempted.log } : {};
  if (attempted.kind === 'deferred') {
    // Like a send the circuit breaker held: no attempt counted, the retry window unchanged.
    const nextAttemptAt = new Date(now.getTime() + DATABASE_AWAY_RETRY_MS).toISOString();
    return { outcome: { id, status: 'retry', nextAttemptAt, code: attempted.code, error: attempted.error, ...request } };
  }
  if (attempted.kind === 'aborted') {
    return { outcome: { id, status: 'aborted', abortReason: attempted.reason, ...(attempted.code ? { code: attempted.code } : {}), ...request } };
  }
  if (attempted.kind === 'failed') return { outcome: { id, status: 'failed', code: attempted.code, error: attempted.error, ...request } };

  const { result } = attempted;
  const attemptNumber = delivery.attempts + 1;
  const firstAttemptAt = delivery.firstAttemptAt ? Date.parse(delivery.firstAttemptAt) : result.startedAt;
  const decision = decideNextAttempt(rules.retryPolicy, { attempt: attemptNumber, firstAttemptAt, now: now.getTime(), outcome: result });
  const attempt = decision.countsAsAttempt ? toAttemptRow(attemptNumber, { ...result, latencyMs: Math.round(result.latencyMs) }) : undefined;
  // The pairs belong to the send: recorded with the attempt that made it (a request that never
  // left, such as one held back by an open circuit, records none).
  const sent = attempt ? { attempt, firstAttemptAt: new Date(firstAttemptAt).toISOString(), messageExtras: attempted.messageExtras ?? {} } : {};
  const base = { id, ...sent, ...request };
  if (decision.action === 'done') {
    const update = rules.deliveredUpdate(delivery);
    return { outcome: { ...base, status: 'delivered' }, ...(update ? { update } : {}) };
  }
  // Not done: the attempt failed, so it has a code (a 2xx the policy refused would be a bug).
  const failure = { code: attemptFailureCode(result) ?? 'internal', error: decision.reason };
  if (decision.action === 'retry') {
    return { outcome: { ...base, status: 'retry', nextAttemptAt: new Date(decision.retryAt!).toISOString(), ...failure } };
  }
  return { outcome: { ...base, status: decision.action, ...failure } };
}

// The delivery log as the API shows it (snake_case), mapped from the store's records.
import { z } from 'zod';
import { DELIVERY_STATUSES, FailureCodeSchema, type Attributes, type Delivery, type DeliveryAttempt } from '../../domain/index.js';
import type { CallRecord } from '../../liquid/index.js';
import { MessageExtrasSchema, Timestamp, callRecordView } from './common.js';

export { DELIVERY_STATUSES };

/**
 * A JSON object written by the service itself. Not re-validated value by value on the way out:
 * a page of 1,000 deliveries would spend most of its time checking JSON it built.
 */
const JsonObject = z.record(z.string(), z.unknown());

export const AttemptViewSchema = z.object({
  attempt: z.number().int().describe('1 for the first attempt'),
  at: Timestamp,
  status_code: z.number().int().nullable().describe('HTTP status; null when the request got no response'),
  latency_ms: z.number(),
  response_body: z.string().nullable().describe('Start of the response body, secrets redacted'),
  error: z.string().nullable(),
  request: JsonObject.nullable().describe('The request this attempt sent, secrets redacted; null when not recorded. Its connected_content lists the calls made while rendering, as in previews'),
  message_extras: MessageExtrasSchema.describe('The message_extras pairs of the request this attempt sent; empty when none or not recorded'),
});

export const DeliverySchema = z.object({
  id: z.string(),
  campaign_id: z.string(),
  external_id: z.string(),
  idempotency_key: z.string().describe('Sent as Idempotency-Key; the same on every attempt and replay'),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  trigger: JsonObject.describe('What triggered the send'),
  next_attempt_at: Timestamp,
  first_attempt_at: Timestamp.nullable(),
  last_error: z.string().nullable(),
  failure_code: FailureCodeSchema.nullable().describe('Why the last attempt did not arrive, as a stable code beside last_error; null when none is known'),
  abort_reason: z.string().nullable(),
  request: JsonObject.nullable().describe(
    'The rendered request as last sent (or the log of an abort), secrets redacted. Its connected_content lists the calls made while rendering, as in previews',
  ),
  message_extras: MessageExtrasSchema.describe(
    "The message_extras pairs recorded with the delivery's latest send (Braze's send-event message_extras); empty until a request is sent (an aborted render records none)",
  ),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const DeliveryWithAttemptsSchema = DeliverySchema.extend({
  attempts_log: z.array(AttemptViewSchema),
});

export const DeliveryListSchema = z.object({
  deliveries: z.array(DeliveryWithAttemptsSchema),
  next_before: z.string().optional().describe('Pass as `before` for the next (older) page'),
});

export type DeliveryView = z.output<typeof DeliverySchema>;
export type DeliveryWithAttemptsView = z.output<typeof DeliveryWithAttemptsSchema>;

export function deliveryView(delivery: Delivery): DeliveryView {
  return {
    id: delivery.id,
    campaign_id: delivery.campaignId,
    external_id: delivery.externalId,
    idempotency_key: delivery.idempotencyKey,
    status: delivery.status,
    attempts: delivery.attempts,
    trigger: delivery.trigger,
    next_attempt_at: delivery.nextAttemptAt,
    first_attempt_at: delivery.firstAttemptAt ?? null,
    last_error: delivery.lastError ?? null,
    failure_code: delivery.failureCode ?? null,
    abort_reason: delivery.abortReason ?? null,
    request: requestLogView(delivery.request),
    message_extras: delivery.messageExtras ?? {},
    created_at: delivery.createdAt,
    updated_at: delivery.updatedAt,
  };
}

export function attemptView(attempt: DeliveryAttempt): z.output<typeof AttemptViewSchema> {
  return {
    attempt: attempt.attempt,
    at: attempt.at,
    status_code: attempt.statusCode ?? null,
    latency_ms: attempt.latencyMs,
    response_body: attempt.responseBody ?? null,
    error: attempt.error ?? null,
    request: requestLogView(attempt.request),
    message_extras: attempt.messageExtras ?? {},
  };
}

/** A stored request log as the API shows it: its connected_content calls in the previews' snake_case. */
function requestLogView(log: Attributes | undefined): Attributes | null {
  if (!log) return null;
  const calls = log.connected_content;
  if (!Array.isArray(calls)) return log;
  return { ...log, connected_content: calls.map((call) => callRecordView(call as unknown as CallRecord)) };
}

export function deliveryWithAttemptsView(delivery: Delivery & { attempts_log: DeliveryAttempt[] }): DeliveryWithAttemptsView {
  return { ...deliveryView(delivery), attempts_log: delivery.attempts_log.map(attemptView) };
}

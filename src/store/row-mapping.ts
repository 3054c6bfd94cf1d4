// Row shapes shared by the SQLite and PostgreSQL backends and their mapping to the contract's
// types. The backends differ only in how a JSON column arrives (text to parse, or already
// parsed), so each builds its mappers with its own `decode`.
import { type Attributes, type Delivery, type DeliveryAttempt, type DeliveryStatus, type ExportEvent, FAILURE_CODES, type FailureCode, type MessageExtras, type Profile, type StoredCampaign } from '../domain/index.js';

const KNOWN_CODES: ReadonlySet<string> = new Set(FAILURE_CODES);
/** A code this version knows (a newer version may have written one it does not). */
const isFailureCode = (code: string): code is FailureCode => KNOWN_CODES.has(code);

export interface ProfileRow<J> {
  external_id: string;
  attributes: J;
  created_at: string;
  updated_at: string;
}

export interface DeliveryRow<J> {
  id: string;
  campaign_id: string;
  external_id: string;
  idempotency_key: string;
  status: DeliveryStatus;
  attempts: number;
  trigger: J;
  request: J | null;
  next_attempt_at: string;
  first_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  /** A FailureCode, or null (no failure, or a row from before codes were kept). */
  failure_code: string | null;
  abort_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptRow<J = unknown> {
  delivery_id: string;
  attempt: number;
  at: string;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
  /** The request log of this attempt (secrets redacted); null before schema version 6. */
  request?: J | null;
  /** The message_extras pairs of this attempt's send; null before schema version 8. */
  message_extras?: J | null;
}

/** An export row without its cursor column (SQLite `seq`, PostgreSQL `pos`). */
export interface ExportRowBase<J> {
  type: string;
  at: string;
  external_id: string | null;
  campaign_id: string | null;
  delivery_id: string | null;
  data: J;
}

export interface CampaignRow<J> {
  id: string;
  definition: J;
  created_at: string;
  updated_at: string;
}

export function toAttempt(row: AttemptRow): DeliveryAttempt {
  const attempt: DeliveryAttempt = { deliveryId: row.delivery_id, attempt: row.attempt, at: row.at, latencyMs: row.latency_ms };
  if (row.status_code !== null) attempt.statusCode = row.status_code;
  if (row.response_body !== null) attempt.responseBody = row.response_body;
  if (row.error !== null) attempt.error = row.error;
  return attempt;
}

export function rowMapping<J>(decode: (value: J) => Attributes) {
  const toProfile = (row: ProfileRow<J>): Profile => ({
    externalId: row.external_id,
    attributes: decode(row.attributes),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  const toDelivery = (row: DeliveryRow<J>): Delivery => {
    const delivery: Delivery = {
      id: row.id,
      campaignId: row.campaign_id,
      externalId: row.external_id,
      idempotencyKey: row.idempotency_key,
      status: row.status,
      attempts: row.attempts,
      trigger: decode(row.trigger),
      nextAttemptAt: row.next_attempt_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
    if (row.first_attempt_at !== null) delivery.firstAttemptAt = row.first_attempt_at;
    if (row.last_error !== null) delivery.lastError = row.last_error;
    if (row.failure_code !== null && isFailureCode(row.failure_code)) delivery.failureCode = row.failure_code;
    if (row.abort_reason !== null) delivery.abortReason = row.abort_reason;
    if (row.request !== null) delivery.request = decode(row.request);
    return delivery;
  };

  const toExportEvent = (row: ExportRowBase<J>, seq: number): ExportEvent => {
    const event: ExportEvent = { seq, type: row.type, at: row.at, data: decode(row.data) };
    if (row.external_id !== null) event.externalId = row.external_id;
    if (row.campaign_id !== null) event.campaignId = row.campaign_id;
    if (row.delivery_id !== null) event.deliveryId = row.delivery_id;
    return event;
  };

  const toCampaign = (row: CampaignRow<J>): StoredCampaign => ({
    id: row.id,
    definition: decode(row.definition),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  /**
   * A delivery with its attempts. Its `request` is the deliveries column when set (the log of an
   * outcome without an attempt, such as an abort), else that of the latest attempt that kept one.
   */
  const toDeliveryWithAttempts = (row: DeliveryRow<J>, attempts: AttemptRow<J>[]): Delivery & { attempts_log: DeliveryAttempt[] } => {
    const delivery = toDelivery(row);
    const attemptsLog = attempts.map((attemptRow) => {
      const attempt = toAttempt(attemptRow);
      if (attemptRow.request !== null && attemptRow.request !== undefined) attempt.request = decode(attemptRow.request);
      if (attemptRow.message_extras !== null && attemptRow.message_extras !== undefined) {
        // Written from a MessageExtras only (string keys and values).
        attempt.messageExtras = decode(attemptRow.message_extras) as MessageExtras;
      }
      return attempt;
    });
    const latest = delivery.request ?? attemptsLog.findLast((attempt) => attempt.request !== undefined)?.request;
    if (latest !== undefined) delivery.request = latest;
    // The pairs recorded with the delivery are those of its latest send.
    const extras = attemptsLog.findLast((attempt) => attempt.messageExtras !== undefined)?.messageExtras;
    if (extras !== undefined) delivery.messageExtras = extras;
    return { ...delivery, attempts_log: attemptsLog };
  };

  return { toProfile, toDelivery, toDeliveryWithAttempts, toExportEvent, toCampaign };
}

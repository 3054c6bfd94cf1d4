// Row shapes as node-postgres returns them (JSON columns already parsed, BIGINT as string) and
// their mapping to the contract's types.
import type { Attributes, Delivery, DeliveryAttempt, DeliveryStatus, ExportEvent, Profile, StoredCampaign } from '../types.js';

export interface ProfileRow {
  external_id: string;
  attributes: Attributes;
  created_at: string;
  updated_at: string;
}

export interface DeliveryRow {
  id: string;
  campaign_id: string;
  external_id: string;
  idempotency_key: string;
  status: DeliveryStatus;
  attempts: number;
  trigger: Attributes;
  request: Attributes | null;
  next_attempt_at: string;
  first_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  abort_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: string;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
}

export interface ExportRow {
  pos: string;
  type: string;
  at: string;
  external_id: string | null;
  campaign_id: string | null;
  delivery_id: string | null;
  data: Attributes;
}

export interface CampaignRow {
  id: string;
  definition: Attributes;
  created_at: string;
  updated_at: string;
}

export const toProfile = (row: ProfileRow): Profile => ({
  externalId: row.external_id,
  attributes: row.attributes,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function toDelivery(row: DeliveryRow): Delivery {
  const delivery: Delivery = {
    id: row.id,
    campaignId: row.campaign_id,
    externalId: row.external_id,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    attempts: row.attempts,
    trigger: row.trigger,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.first_attempt_at !== null) delivery.firstAttemptAt = row.first_attempt_at;
  if (row.last_error !== null) delivery.lastError = row.last_error;
  if (row.abort_reason !== null) delivery.abortReason = row.abort_reason;
  if (row.request !== null) delivery.request = row.request;
  return delivery;
}

export function toAttempt(row: AttemptRow): DeliveryAttempt {
  const attempt: DeliveryAttempt = { deliveryId: row.delivery_id, attempt: row.attempt, at: row.at, latencyMs: row.latency_ms };
  if (row.status_code !== null) attempt.statusCode = row.status_code;
  if (row.response_body !== null) attempt.responseBody = row.response_body;
  if (row.error !== null) attempt.error = row.error;
  return attempt;
}

/** The public cursor is the commit-ordered position, not the insert-time sequence. */
export function toExportEvent(row: ExportRow): ExportEvent {
  const event: ExportEvent = { seq: Number(row.pos), type: row.type, at: row.at, data: row.data };
  if (row.external_id !== null) event.externalId = row.external_id;
  if (row.campaign_id !== null) event.campaignId = row.campaign_id;
  if (row.delivery_id !== null) event.deliveryId = row.delivery_id;
  return event;
}

export const toCampaign = (row: CampaignRow): StoredCampaign => ({
  id: row.id,
  definition: row.definition,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** JSON parameter: always a string, since node-postgres would turn a JS array into a SQL array. */
export const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

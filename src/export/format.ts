// The export stream's public line format (NDJSON over HTTP, rows in a warehouse table).
//
//   {"seq":42,"type":"webhook_delivered","at":"2030-01-01T00:00:00.000Z","external_id":"lead-1",
//    "campaign_id":"cmp_1","delivery_id":"0190…","data":{"status":"delivered","status_code":200}}
//
// `seq` is the cursor: strictly increasing, resume with `since=<last seq>`. Fields that do not
// apply are null. Types and their `data`:
//   webhook_enqueued   {trigger}                              a campaign planned a send
//   webhook_sent       {attempt, latency_ms, status_code?,     one HTTP attempt was made
//                       message_extras}                      the pairs of the template's
//                                                            message_extras tags ({} for none)
//   webhook_delivered  {status, status_code?}
//   webhook_failed     {status: failed|retry, error?, failure_code?, status_code?, next_attempt_at?}
//   webhook_dead       {status, error?, failure_code?}         retries exhausted
// `failure_code` is one of the codes of src/domain/failure-code.ts (render_failed, limit_exceeded,
// campaign_missing, ssrf_blocked, invalid_request, http_status, timeout, connection, circuit_open,
// internal), present when the worker gave one.
//   webhook_aborted    {status, reason}                        abort_message in the template
//   webhook_replayed   {previous_status}
//   attribute_changed  {attribute, before, after}
//   score_changed      {program_id, program, attribute, before, after, points,
//                       reason: event|inactivity, event?, group?, due_at?}
//   user_event         {name, time, properties}
//   purchase           {product_id, currency, price, quantity, time, properties}
import type { Attributes, ExportEvent } from '../domain/index.js';

export const EXPORT_EVENT_TYPES = [
  'webhook_enqueued',
  'webhook_sent',
  'webhook_delivered',
  'webhook_failed',
  'webhook_dead',
  'webhook_aborted',
  'webhook_replayed',
  'attribute_changed',
  'score_changed',
  'user_event',
  'purchase',
] as const;

export interface ExportLine {
  seq: number;
  type: string;
  at: string;
  external_id: string | null;
  campaign_id: string | null;
  delivery_id: string | null;
  data: Attributes;
}

export function toExportLine(event: ExportEvent): ExportLine {
  return {
    seq: event.seq,
    type: event.type,
    at: event.at,
    external_id: event.externalId ?? null,
    campaign_id: event.campaignId ?? null,
    delivery_id: event.deliveryId ?? null,
    data: event.data,
  };
}

/** NDJSON text of the events, one line each (empty string for none). */
export function toNdjson(events: readonly ExportEvent[]): string {
  return events.map((e) => `${JSON.stringify(toExportLine(e))}\n`).join('');
}

/** The cursor after a page: its last seq, or the one it started from. */
export const nextCursor = (since: number, events: readonly ExportEvent[]): number => events.at(-1)?.seq ?? since;

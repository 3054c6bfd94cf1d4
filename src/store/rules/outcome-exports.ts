// What recording an outcome tells the export stream, the same for both backends: a webhook_sent
// event per attempt (with the message_extras pairs of its send), then one event for the verdict.
import type { Attributes, DeliveryOutcome, ExportEvent } from '../../domain/index.js';

const EXPORT_TYPE: Record<DeliveryOutcome['status'], string> = {
  delivered: 'webhook_delivered',
  failed: 'webhook_failed',
  retry: 'webhook_failed',
  dead: 'webhook_dead',
  aborted: 'webhook_aborted',
};

export function outcomeExportEvents(
  outcome: DeliveryOutcome,
  row: { id: string; campaign_id: string; external_id: string },
  at: string,
): Omit<ExportEvent, 'seq'>[] {
  const attempt = outcome.attempt;
  const base = { at, externalId: row.external_id, campaignId: row.campaign_id, deliveryId: row.id };
  const events: Omit<ExportEvent, 'seq'>[] = [];
  if (attempt) {
    const data: Attributes = { attempt: attempt.attempt, latency_ms: attempt.latencyMs };
    if (attempt.statusCode !== undefined) data.status_code = attempt.statusCode;
    data.message_extras = { ...outcome.messageExtras };
    events.push({ ...base, type: 'webhook_sent', data });
  }
  const data: Attributes = { status: outcome.status };
  if (attempt?.statusCode !== undefined) data.status_code = attempt.statusCode;
  const error = outcome.error ?? attempt?.error;
  if (error) data.error = error;
  if (outcome.code && outcome.status !== 'delivered') data.failure_code = outcome.code;
  if (outcome.status === 'aborted') data.reason = outcome.abortReason ?? null;
  if (outcome.status === 'retry') data.next_attempt_at = new Date(outcome.nextAttemptAt!).toISOString();
  events.push({ ...base, type: EXPORT_TYPE[outcome.status], data });
  return events;
}

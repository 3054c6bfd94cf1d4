// The outbox row of a planned send, the same for both backends.
import type { NewDeliveryLease } from '../ports.js';
import type { DeliveryRow } from '../row-mapping.js';
import type { PlannedSend } from './track.js';

/**
 * The row of a planned send, due now; `trigger` as the backend stores JSON. With a `lease`, the row
 * is written leased to that worker instead of queued.
 */
export function newDeliveryRow<J>(send: PlannedSend, now: Date, trigger: J, lease: Omit<NewDeliveryLease, 'count'> | undefined): DeliveryRow<J> {
  const at = now.toISOString();
  const row: DeliveryRow<J> = {
    id: send.id,
    campaign_id: send.campaignId,
    external_id: send.externalId,
    idempotency_key: send.idempotencyKey,
    status: 'queued',
    attempts: 0,
    trigger,
    request: null,
    next_attempt_at: at,
    first_attempt_at: null,
    lease_owner: null,
    lease_until: null,
    last_error: null,
    failure_code: null,
    abort_reason: null,
    created_at: at,
    updated_at: at,
  };
  if (lease) {
    row.status = 'sending';
    row.lease_owner = lease.owner;
    row.lease_until = new Date(now.getTime() + lease.leaseMs).toISOString();
  }
  return row;
}

/** The rows of a plan's sends: the first `lease.count` leased, the rest queued. */
export function newDeliveryRows<J>(sends: readonly PlannedSend[], now: Date, encode: (trigger: PlannedSend['trigger']) => J, lease?: NewDeliveryLease): DeliveryRow<J>[] {
  return sends.map((send, i) => newDeliveryRow(send, now, encode(send.trigger), lease && i < lease.count ? lease : undefined));
}

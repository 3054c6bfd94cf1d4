// The pure middle of applyTrack, the same for both backends: a user's attribute operations, the
// enricher (scoring), the export events of the change, the activity the campaign planner sees and
// the sends it plans. Each backend reads the rows before it and writes what it returns.
import { applyAttributeOps, AttributeOpError, diffAttributes } from '../profiles/index.js';
import { newIdempotencyKey, newTimeOrderedId } from './ids.js';
import type { DeliveryRow } from './row-mapping.js';
import type { AttributeChange, AttributeOp, Attributes, ExportDraft, ExportEvent, MembershipWrite, ProgramMembership, Purchase, SendPlanner, UserActivity, UserEvent } from '../domain/index.js';
import type { ApplyTrackOptions, NewDeliveryClaim } from './ports.js';

export interface InternalApplyOptions extends ApplyTrackOptions {
  /** Exports written for a user along with the change (the due-membership path). */
  exportsFor?: (externalId: string) => ExportDraft[];
}

/** One user of a batch: the profile as read (`before`) and as the batch leaves it (`after`). */
export interface UserWork {
  externalId: string;
  /** No stored profile before this batch. */
  isNew: boolean;
  before: Attributes;
  after: Attributes;
  events: UserEvent[];
  purchases: Purchase[];
}

export function newUserWork(externalId: string, isNew: boolean, attributes: Attributes): UserWork {
  return { externalId, isNew, before: attributes, after: attributes, events: [], purchases: [] };
}

/** Applies one entry's operations; an operation the profile refuses names the user. */
export function applyUserOps(work: UserWork, ops: Record<string, AttributeOp>): void {
  try {
    work.after = applyAttributeOps(work.after, ops).attributes;
  } catch (error) {
    throw error instanceof AttributeOpError ? error.forUser(work.externalId) : error;
  }
}

export interface PlannedSend {
  id: string;
  campaignId: string;
  externalId: string;
  idempotencyKey: string;
  trigger: Attributes;
}

export interface UserPlan {
  changes: AttributeChange[];
  activity: UserActivity;
  /** Membership writes the enricher asks for. */
  memberships: MembershipWrite[];
  exports: Omit<ExportEvent, 'seq'>[];
  sends: PlannedSend[];
}

const copyOf = (times: Record<string, string> | undefined): Record<string, string> => (times ? { ...times } : {});

/**
 * Enriches, diffs and plans one user. `lastEnqueued` (campaign → time, per user) gets the planned
 * sends, so later users of the batch see them as they would reading the table row by row.
 */
export function planUser(
  work: UserWork,
  memberships: ProgramMembership[],
  lastEnqueued: Map<string, Record<string, string>>,
  planner: SendPlanner,
  now: Date,
  options: InternalApplyOptions,
): UserPlan {
  const at = now.toISOString();
  const externalId = work.externalId;
  const before = work.isNew ? undefined : work.before;
  const drafts = [...(options.exportsFor?.(work.externalId) ?? [])];
  let membershipWrites: MembershipWrite[] = [];
  if (options.enricher) {
    const enrichment = options.enricher({
      externalId: work.externalId,
      before,
      after: work.after,
      changes: diffAttributes(work.before, work.after),
      events: work.events,
      purchases: work.purchases,
      memberships,
    });
    for (const ops of enrichment.ops) applyUserOps(work, ops);
    membershipWrites = enrichment.memberships;
    drafts.push(...enrichment.exports);
  }

  const changes = diffAttributes(work.before, work.after);
  const exports: Omit<ExportEvent, 'seq'>[] = [];
  for (const event of work.events) {
    exports.push({ type: 'user_event', at, externalId, data: { name: event.name, time: event.time, properties: event.properties } });
  }
  for (const p of work.purchases) {
    exports.push({
      type: 'purchase',
      at,
      externalId,
      data: { product_id: p.productId, currency: p.currency, price: p.price, quantity: p.quantity, time: p.time, properties: p.properties },
    });
  }
  for (const change of changes) {
    exports.push({ type: 'attribute_changed', at, externalId, data: { attribute: change.attribute, before: change.before ?? null, after: change.after ?? null } });
  }
  for (const draft of drafts) exports.push({ type: draft.type, at, externalId, data: draft.data });

  const activity: UserActivity = {
    externalId: work.externalId,
    before,
    after: work.after,
    changes,
    events: work.events,
    purchases: work.purchases,
    lastEnqueuedAt: copyOf(lastEnqueued.get(work.externalId)),
  };
  const sends: PlannedSend[] = [];
  for (const planned of planner(activity)) {
    const send: PlannedSend = {
      id: newTimeOrderedId(now.getTime()),
      campaignId: planned.campaignId,
      externalId: planned.externalId,
      idempotencyKey: newIdempotencyKey(),
      trigger: planned.trigger,
    };
    sends.push(send);
    let seen = lastEnqueued.get(planned.externalId);
    if (!seen) lastEnqueued.set(planned.externalId, (seen = {}));
    seen[planned.campaignId] = at;
    exports.push({
      type: 'webhook_enqueued',
      at,
      externalId: planned.externalId,
      campaignId: planned.campaignId,
      deliveryId: send.id,
      data: { trigger: planned.trigger },
    });
  }
  return { changes, activity, memberships: membershipWrites, exports, sends };
}

/**
 * The outbox row of a planned send, due now; `trigger` as the backend stores JSON. With a
 * `claim` that reserves it, the row is written leased to that worker instead of queued.
 */
export function newDeliveryRow<J>(send: PlannedSend, now: Date, trigger: J, claim: NewDeliveryClaim | undefined): DeliveryRow<J> {
  const at = now.toISOString();
  const row = queuedDeliveryRow(send, at, trigger);
  if (claim?.reserve()) {
    row.status = 'sending';
    row.lease_owner = claim.owner;
    row.lease_until = new Date(now.getTime() + claim.leaseMs).toISOString();
  }
  return row;
}

function queuedDeliveryRow<J>(send: PlannedSend, at: string, trigger: J): DeliveryRow<J> {
  return {
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
    abort_reason: null,
    created_at: at,
    updated_at: at,
  };
}

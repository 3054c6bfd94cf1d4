// The pure middle of every profile change, the same for both backends: the users of a batch, their
// attribute operations, the enricher (scoring), the export events of the change, the activity the
// campaign planner sees and the sends it plans. A backend reads the state (`TrackState`), asks
// `planTrack` for the plan, and writes it; several plans in one transaction (delivered updates,
// due memberships) are planned one after the other on the state each leaves, then written once.
import type {
  ActivityEnricher,
  AttributeChange,
  AttributeOp,
  Attributes,
  ExportDraft,
  MembershipWrite,
  NewExportEvent,
  ProgramMembership,
  Purchase,
  SendPlanner,
  TrackBatch,
  UserActivity,
  UserEvent,
} from '../../domain/index.js';
import { applyAttributeOps, AttributeOpError, diffAttributes } from '../../profiles/index.js';
import { newIdempotencyKey, newTimeOrderedId } from '../ids.js';

/** What a change is decided by: the planner, and optionally the enricher and extra exports. */
export interface TrackRules {
  planner: SendPlanner;
  enricher?: ActivityEnricher;
  /** Exports written for a user along with the change (the due-membership path). */
  exportsFor?: (externalId: string) => ExportDraft[];
}

/** What planning reads, for the users of the batches planned on it. */
export interface TrackState {
  /** Stored attributes by user; a user absent here has no profile yet. */
  stored: Map<string, Attributes>;
  /** Campaign → last enqueued time, by user. */
  lastEnqueued: Map<string, Record<string, string>>;
  /** Memberships by user; read only when an enricher runs. */
  memberships?: Map<string, ProgramMembership[]>;
}

/** One user of a batch: the profile as read (`before`) and as the batch leaves it (`after`). */
interface UserWork {
  externalId: string;
  isNew: boolean;
  before: Attributes;
  after: Attributes;
  events: UserEvent[];
  purchases: Purchase[];
}

export interface PlannedSend {
  id: string;
  campaignId: string;
  externalId: string;
  idempotencyKey: string;
  trigger: Attributes;
}

/** What to write for one user. */
export interface UserWrite {
  externalId: string;
  /** No stored profile before this plan. */
  isNew: boolean;
  after: Attributes;
  /** An attribute changed (the profile row is rewritten, updated_at moves). */
  changed: boolean;
  /** Membership writes the enricher asks for, in order. */
  memberships: MembershipWrite[];
}

export interface TrackPlan {
  users: UserWrite[];
  sends: PlannedSend[];
  exports: NewExportEvent[];
  activities: UserActivity[];
  /** `TrackState.lastEnqueued` with this plan's sends. */
  lastEnqueued: Map<string, Record<string, string>>;
}

/** The batch's users in first-appearance order (attributes, then events, then purchases). */
export function usersOf(batch: TrackBatch): string[] {
  const ids = new Set<string>();
  for (const entry of batch.attributes) ids.add(entry.externalId);
  for (const event of batch.events) ids.add(event.externalId);
  for (const purchase of batch.purchases) ids.add(purchase.externalId);
  return [...ids];
}

/** Applies one entry's operations; an operation the profile refuses names the user. */
function applyUserOps(work: UserWork, ops: Record<string, AttributeOp>): void {
  try {
    work.after = applyAttributeOps(work.after, ops).attributes;
  } catch (error) {
    throw error instanceof AttributeOpError ? error.forUser(work.externalId) : error;
  }
}

/** Plans a batch on `state` without changing it (see `advance`). Throws what the profile refuses. */
export function planTrack(batch: TrackBatch, state: TrackState, rules: TrackRules, now: Date): TrackPlan {
  const users = new Map<string, UserWork>();
  for (const externalId of usersOf(batch)) {
    const stored = state.stored.get(externalId);
    const attributes = stored ?? {};
    users.set(externalId, { externalId, isNew: stored === undefined, before: attributes, after: attributes, events: [], purchases: [] });
  }
  // Entries for the same user apply in request order.
  for (const entry of batch.attributes) applyUserOps(users.get(entry.externalId)!, entry.ops);
  for (const event of batch.events) users.get(event.externalId)!.events.push(event);
  for (const purchase of batch.purchases) users.get(purchase.externalId)!.purchases.push(purchase);

  const plan: TrackPlan = { users: [], sends: [], exports: [], activities: [], lastEnqueued: new Map(state.lastEnqueued) };
  for (const work of users.values()) planUser(work, state, rules, now, plan);
  return plan;
}

/** Enriches, diffs and plans one user into `plan`. */
function planUser(work: UserWork, state: TrackState, rules: TrackRules, now: Date, plan: TrackPlan): void {
  const at = now.toISOString();
  const externalId = work.externalId;
  const before = work.isNew ? undefined : work.before;
  const drafts = [...(rules.exportsFor?.(externalId) ?? [])];
  let memberships: MembershipWrite[] = [];
  let changes: AttributeChange[] | undefined;
  if (rules.enricher) {
    changes = diffAttributes(work.before, work.after);
    const enrichment = rules.enricher({
      externalId,
      before,
      after: work.after,
      changes,
      events: work.events,
      purchases: work.purchases,
      memberships: state.memberships?.get(externalId) ?? [],
    });
    // The enricher's operations change the profile again (a score): only then diff once more.
    if (enrichment.ops.length > 0) changes = undefined;
    for (const ops of enrichment.ops) applyUserOps(work, ops);
    memberships = enrichment.memberships;
    drafts.push(...enrichment.exports);
  }

  changes ??= diffAttributes(work.before, work.after);
  plan.exports.push(...changeExports(work, changes, at));
  for (const draft of drafts) plan.exports.push({ type: draft.type, at, externalId, data: draft.data });
  plan.users.push({ externalId, isNew: work.isNew, after: work.after, changed: changes.length > 0, memberships });

  const activity: UserActivity = {
    externalId,
    before,
    after: work.after,
    changes,
    events: work.events,
    purchases: work.purchases,
    lastEnqueuedAt: { ...plan.lastEnqueued.get(externalId) },
  };
  plan.activities.push(activity);
  for (const planned of rules.planner(activity)) {
    const send: PlannedSend = {
      id: newTimeOrderedId(now.getTime()),
      campaignId: planned.campaignId,
      externalId: planned.externalId,
      idempotencyKey: newIdempotencyKey(),
      trigger: planned.trigger,
    };
    plan.sends.push(send);
    // Later users of the plan see the send, as they would reading the table row by row.
    plan.lastEnqueued.set(planned.externalId, { ...plan.lastEnqueued.get(planned.externalId), [planned.campaignId]: at });
    plan.exports.push({
      type: 'webhook_enqueued',
      at,
      externalId: planned.externalId,
      campaignId: planned.campaignId,
      deliveryId: send.id,
      data: { trigger: planned.trigger },
    });
  }
}

/** The events, purchases and attribute changes of one user, as export events. */
function changeExports(work: UserWork, changes: AttributeChange[], at: string): NewExportEvent[] {
  const externalId = work.externalId;
  const exports: NewExportEvent[] = [];
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
  return exports;
}

/** The state after `plan`: the next plan in the same transaction reads what this one writes. */
export function advance(state: TrackState, plan: TrackPlan): void {
  for (const user of plan.users) {
    state.stored.set(user.externalId, user.after);
    if (state.memberships && user.memberships.length > 0) {
      state.memberships.set(user.externalId, withWrites(user.externalId, state.memberships.get(user.externalId) ?? [], user.memberships));
    }
  }
  state.lastEnqueued = plan.lastEnqueued;
}

/** Memberships after `writes` (each upsert defines the whole membership), ordered by program id. */
function withWrites(externalId: string, current: ProgramMembership[], writes: MembershipWrite[]): ProgramMembership[] {
  const byProgram = new Map(current.map((m) => [m.programId, m]));
  for (const write of writes) {
    if (write.action === 'delete') byProgram.delete(write.programId);
    else byProgram.set(write.programId, { programId: write.programId, externalId, enteredAt: write.enteredAt, dueAt: write.dueAt });
  }
  return [...byProgram.values()].sort((a, b) => (a.programId < b.programId ? -1 : 1));
}

/** Two plans of one transaction as one write: each user once (first `isNew`, last `after`). */
export function mergePlans(first: TrackPlan, second: TrackPlan): TrackPlan {
  const users = new Map(first.users.map((u) => [u.externalId, u]));
  for (const user of second.users) {
    const earlier = users.get(user.externalId);
    users.set(
      user.externalId,
      earlier
        ? { ...user, isNew: earlier.isNew, changed: earlier.changed || user.changed, memberships: [...earlier.memberships, ...user.memberships] }
        : user,
    );
  }
  return {
    users: [...users.values()],
    sends: [...first.sends, ...second.sends],
    exports: [...first.exports, ...second.exports],
    activities: [...first.activities, ...second.activities],
    lastEnqueued: second.lastEnqueued,
  };
}

export const emptyPlan = (state: TrackState): TrackPlan => ({ users: [], sends: [], exports: [], activities: [], lastEnqueued: state.lastEnqueued });

// Profile changes on SQLite: read the state of the users (the write lock is held), plan with the
// shared rules (rules/track.ts), write the plan with set-at-a-time statements. The same path
// serves /users/track batches, the updates of delivered sends and due memberships.
import type { Attributes, Delivery, DeliveredUpdate, TrackBatch } from '../../domain/index.js';
import type { ApplyTrackOptions, ChangeRules, DueResult, NewDeliveryLease, RecordOutcomesResult, TrackResult } from '../ports.js';
import { dueHandler, scoreChangesIn, trackRules } from '../rules/compile.js';
import { planDeliveredUpdates, usersOfUpdates } from '../rules/delivered-updates.js';
import { dueKey, driveDue, planDue } from '../rules/due.js';
import { newDeliveryRows } from '../rules/new-delivery.js';
import { planTrack, type TrackPlan, type TrackRules, type TrackState, usersOf } from '../rules/track.js';
import { insertExportEvents } from './exports.js';
import {
  applyMembershipWrites,
  DueQueueWrites,
  dueMembershipsInTransaction,
  moveDueInTransaction,
  parseMemberships,
  serializeMemberships,
  type StoredMembership,
  toProgramMemberships,
} from './memberships.js';
import { moveCursorInTransaction } from './programs.js';
import { type StatementCache, toDelivery } from './rows.js';
import { lastEnqueuedOf, profilesOf, TrackWrites } from './track-batch.js';

/** A stored profile's memberships column, and its parsed form once planning needed it. */
interface MembershipColumn {
  text: string | null;
  parsed?: Map<string, StoredMembership>;
}

/** The state of these users, and each stored profile's memberships column (absent for new users). */
interface ReadState {
  state: TrackState;
  columns: Map<string, MembershipColumn>;
}

function readState(stmts: StatementCache, ids: readonly string[], withMemberships: boolean): ReadState {
  const rows = profilesOf(stmts, ids);
  const state: TrackState = { stored: new Map(), lastEnqueued: lastEnqueuedOf(stmts, ids) };
  if (withMemberships) state.memberships = new Map();
  const columns = new Map<string, MembershipColumn>();
  for (const [externalId, row] of rows) {
    state.stored.set(externalId, JSON.parse(row.attributes) as Attributes);
    const column: MembershipColumn = { text: row.memberships };
    columns.set(externalId, column);
    // Parsed once: the plan reads the memberships and the write applies its changes to the same map.
    if (withMemberships && row.memberships) {
      column.parsed = parseMemberships(row.memberships);
      state.memberships!.set(externalId, toProgramMemberships(externalId, column.parsed));
    }
  }
  return { state, columns };
}

/** Writes a plan: profiles (and their memberships), deliveries, eligibility and exports. */
function writePlan(stmts: StatementCache, plan: TrackPlan, columns: Map<string, MembershipColumn>, now: Date, lease?: NewDeliveryLease): Delivery[] {
  const at = now.toISOString();
  const writes = new TrackWrites();
  const queue = new DueQueueWrites();
  for (const user of plan.users) {
    const column = columns.get(user.externalId);
    let memberships = column?.text ?? null;
    let membershipsChanged = false;
    if (user.memberships.length > 0) {
      const stored = column?.parsed ?? parseMemberships(memberships);
      membershipsChanged = applyMembershipWrites(user.externalId, stored, user.memberships, queue);
      if (membershipsChanged) memberships = serializeMemberships(stored);
    }
    // A profile is rewritten only when an attribute changed: updated_at is the last change, and
    // an event alone costs no random page write in the profiles table.
    if (user.isNew) writes.newProfiles.push([user.externalId, JSON.stringify(user.after), memberships, at, at]);
    else if (user.changed && membershipsChanged) writes.changedProfiles.push([JSON.stringify(user.after), memberships, at, user.externalId]);
    else if (user.changed) writes.changedAttributes.push([JSON.stringify(user.after), at, user.externalId]);
    else if (membershipsChanged) writes.membershipColumns.push([memberships, user.externalId]);
  }
  const deliveries: Delivery[] = [];
  for (const row of newDeliveryRows(plan.sends, now, JSON.stringify, lease)) {
    writes.addDelivery(row);
    deliveries.push(toDelivery(row));
  }
  writes.flush(stmts);
  queue.flush(stmts);
  insertExportEvents(stmts, plan.exports);
  return deliveries;
}

export function applyTrackInTransaction(stmts: StatementCache, batch: TrackBatch, rules: ChangeRules, now: Date, options: ApplyTrackOptions = {}): TrackResult {
  if (options.cursor) moveCursorInTransaction(stmts, options.cursor, now.toISOString());
  const track = trackRules(rules, rules.at ?? now);
  const { state, columns } = readState(stmts, usersOf(batch), track.enricher !== undefined);
  const plan = planTrack(batch, state, track, now);
  return { activities: plan.activities, deliveries: writePlan(stmts, plan, columns, now, options.lease), scoreChanges: scoreChangesIn(plan.exports) };
}

/** The updates of delivered sends whose outcome was written, planned and written together. */
export function applyDeliveredUpdatesInTransaction(stmts: StatementCache, updates: DeliveredUpdate[], rules: TrackRules, now: Date): RecordOutcomesResult {
  if (updates.length === 0) return { deliveries: [], refused: [], scoreChanges: 0 };
  const { state, columns } = readState(stmts, usersOfUpdates(updates), rules.enricher !== undefined);
  const { plan, refused } = planDeliveredUpdates(updates, state, rules, now);
  return { deliveries: writePlan(stmts, plan, columns, now), refused, scoreChanges: scoreChangesIn(plan.exports) };
}

/**
 * Due memberships, each applied through its program's decay: SQLite has one writer at a time, so
 * the write lock is the claim, and the due time moves by compare-and-set.
 */
export function applyDueMembershipsInTransaction(stmts: StatementCache, now: Date, at: Date, limit: number, rules: ChangeRules): DueResult {
  const claimed = dueMembershipsInTransaction(stmts, now, limit);
  if (claimed.length === 0) return { applied: 0, activities: [], deliveries: [], scoreChanges: 0 };
  const when = rules.at ?? at;
  const { state, columns } = readState(stmts, [...new Set(claimed.map((due) => due.externalId))], false);
  const { applied, plan } = driveDue(planDue(claimed, state, dueHandler(rules), trackRules(rules, when).planner, when), (moves) => {
    const held = new Set<string>();
    for (const { due, next } of moves) if (moveDueInTransaction(stmts, due, next)) held.add(dueKey(due));
    return held;
  });
  return { applied, activities: plan.activities, deliveries: writePlan(stmts, plan, columns, at), scoreChanges: scoreChangesIn(plan.exports) };
}

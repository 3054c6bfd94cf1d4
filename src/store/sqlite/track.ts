// applyTrack for SQLite: the profile changes (memberships included), planned deliveries and export
// events (events and purchases among them) of one /users/track batch; and the due memberships,
// applied through the same path. Called inside one transaction by the store.
import type { Attributes, Delivery, DueHandler, ExportEvent, SendPlanner, TrackBatch, UserActivity } from '../../domain/index.js';
import { applyUserOps, type InternalApplyOptions, newUserWork, planUser, newDeliveryRow, type UserWork } from '../track-plan.js';
import { insertExportEvents } from './exports.js';
import {
  applyMembershipWrites,
  DueQueueWrites,
  dueMembershipsInTransaction,
  moveDueInTransaction,
  parseMemberships,
  serializeMemberships,
  toProgramMemberships,
} from './memberships.js';
import { moveCursorInTransaction } from './programs.js';
import { PROFILE_COLUMNS, type ProfileRow, type StatementCache, toDelivery, toProfile } from './rows.js';
import { lastEnqueuedOf, profilesOf, TrackWrites } from './track-batch.js';

export type { InternalApplyOptions } from '../track-plan.js';

/** The batch's users, and each stored profile's memberships column (absent for new users). */
function collectUsers(stmts: StatementCache, batch: TrackBatch): { users: Map<string, UserWork>; columns: Map<string, string | null> } {
  const ids = new Set<string>();
  for (const entry of batch.attributes) ids.add(entry.externalId);
  for (const event of batch.events) ids.add(event.externalId);
  for (const purchase of batch.purchases) ids.add(purchase.externalId);
  const stored = profilesOf(stmts, [...ids]);
  const users = new Map<string, UserWork>();
  const columns = new Map<string, string | null>();
  const touch = (externalId: string): UserWork => {
    let work = users.get(externalId);
    if (!work) {
      const existing = stored.get(externalId);
      work = newUserWork(externalId, !existing, existing ? (JSON.parse(existing.attributes) as Attributes) : {});
      users.set(externalId, work);
      if (existing) columns.set(externalId, existing.memberships);
    }
    return work;
  };
  // Entries for the same user apply in request order.
  for (const entry of batch.attributes) applyUserOps(touch(entry.externalId), entry.ops);
  for (const event of batch.events) touch(event.externalId).events.push(event);
  for (const purchase of batch.purchases) touch(purchase.externalId).purchases.push(purchase);
  return { users, columns };
}

export function applyTrackInTransaction(
  stmts: StatementCache,
  batch: TrackBatch,
  planner: SendPlanner,
  now: Date,
  options: InternalApplyOptions = {},
): { activities: UserActivity[]; deliveries: Delivery[] } {
  const at = now.toISOString();
  const activities: UserActivity[] = [];
  const deliveries: Delivery[] = [];
  const exports: Omit<ExportEvent, 'seq'>[] = [];
  if (options.cursor) moveCursorInTransaction(stmts, options.cursor, at);

  // Everything is read up front (one query per table) and written at the end (multi-row
  // statements): the same rows as one user at a time, as the users of a batch are distinct.
  const { users, columns } = collectUsers(stmts, batch);
  const lastEnqueued = lastEnqueuedOf(stmts, [...users.keys()]);
  const writes = new TrackWrites();
  const queue = new DueQueueWrites();

  for (const work of users.values()) {
    const column = columns.get(work.externalId) ?? null;
    // Memberships (in the profile row) matter only to the enricher; without one they stay as read.
    const stored = options.enricher ? parseMemberships(column) : undefined;
    const plan = planUser(work, stored ? toProgramMemberships(work.externalId, stored) : [], lastEnqueued, planner, now, options);
    const membershipsChanged = stored !== undefined && applyMembershipWrites(work.externalId, stored, plan.memberships, queue);
    const memberships = membershipsChanged ? serializeMemberships(stored) : column;
    // A profile is rewritten only when an attribute changed: updated_at is the last change, and
    // an event alone costs no random page write in the profiles table.
    if (work.isNew) writes.newProfiles.push([work.externalId, JSON.stringify(work.after), memberships, at, at]);
    else if (plan.changes.length > 0) writes.changedProfiles.push([JSON.stringify(work.after), memberships, at, work.externalId]);
    else if (membershipsChanged) writes.membershipColumns.push([memberships, work.externalId]);
    for (const send of plan.sends) {
      const row = newDeliveryRow(send, now, JSON.stringify(send.trigger), options.claimNew);
      writes.addDelivery(row);
      deliveries.push(toDelivery(row));
    }
    exports.push(...plan.exports);
    activities.push(plan.activity);
  }
  writes.flush(stmts);
  queue.flush(stmts);
  insertExportEvents(stmts, exports);
  return { activities, deliveries };
}

/**
 * Due memberships, each applied through its handler: SQLite has one writer at a time, so the
 * write lock is the claim, and the due time moves by compare-and-set.
 */
export function applyDueMembershipsInTransaction(
  stmts: StatementCache,
  now: Date,
  at: Date,
  limit: number,
  handler: DueHandler,
  planner: SendPlanner,
): { applied: number; activities: UserActivity[]; deliveries: Delivery[] } {
  const result = { applied: 0, activities: [] as UserActivity[], deliveries: [] as Delivery[] };
  for (const due of dueMembershipsInTransaction(stmts, now, limit)) {
    const profile = stmts.get(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE external_id = ?`).get(due.externalId) as ProfileRow | undefined;
    const outcome = handler(due, profile ? toProfile(profile).attributes : {});
    if (!moveDueInTransaction(stmts, due, outcome.next)) continue;
    result.applied++;
    if (Object.keys(outcome.ops).length === 0 && outcome.exports.length === 0) continue;
    const batch: TrackBatch = { attributes: [{ externalId: due.externalId, ops: outcome.ops }], events: [], purchases: [] };
    const applied = applyTrackInTransaction(stmts, batch, planner, at, { exportsFor: () => outcome.exports });
    result.activities.push(...applied.activities);
    result.deliveries.push(...applied.deliveries);
  }
  return result;
}

// applyTrack for SQLite: the profile changes, events, purchases, planned deliveries and export
// events of one /users/track batch. Called inside one transaction by the store.
import { applyAttributeOps, AttributeOpError, diffAttributes } from '../../profiles/index.js';
import { newIdempotencyKey, newTimeOrderedId } from '../ids.js';
import type {
  ApplyTrackOptions,
  Attributes,
  Delivery,
  Enrichment,
  ProgramMembership,
  ExportDraft,
  ExportEvent,
  Purchase,
  SendPlanner,
  TrackBatch,
  UserActivity,
  UserEvent,
} from '../types.js';
import { insertExportEvents } from './exports.js';
import { moveCursorInTransaction } from './programs.js';
import { type DeliveryRow, type ProfileRow, type StatementCache, toDelivery } from './rows.js';
import { lastEnqueuedOf, membershipsByUser, profilesOf, TrackWrites } from './track-batch.js';

interface UserWork {
  externalId: string;
  existing: ProfileRow | undefined;
  before: Attributes;
  after: Attributes;
  events: UserEvent[];
  purchases: Purchase[];
}

function collectUsers(stmts: StatementCache, batch: TrackBatch): Map<string, UserWork> {
  const ids = new Set<string>();
  for (const entry of batch.attributes) ids.add(entry.externalId);
  for (const event of batch.events) ids.add(event.externalId);
  for (const purchase of batch.purchases) ids.add(purchase.externalId);
  const stored = profilesOf(stmts, [...ids]);
  const users = new Map<string, UserWork>();
  const touch = (externalId: string): UserWork => {
    let work = users.get(externalId);
    if (!work) {
      const existing = stored.get(externalId);
      const attributes = existing ? (JSON.parse(existing.attributes) as Attributes) : {};
      work = { externalId, existing, before: attributes, after: attributes, events: [], purchases: [] };
      users.set(externalId, work);
    }
    return work;
  };
  // Entries for the same user apply in request order.
  for (const entry of batch.attributes) {
    const work = touch(entry.externalId);
    try {
      work.after = applyAttributeOps(work.after, entry.ops).attributes;
    } catch (error) {
      throw error instanceof AttributeOpError ? error.forUser(entry.externalId) : error;
    }
  }
  for (const event of batch.events) touch(event.externalId).events.push(event);
  for (const purchase of batch.purchases) touch(purchase.externalId).purchases.push(purchase);
  return users;
}

/** Runs the enricher on one user's work and applies its operations; returns what it asks to write. */
function enrich(work: UserWork, memberships: ProgramMembership[], options: InternalApplyOptions): Pick<Enrichment, 'memberships' | 'exports'> {
  const drafts = options.exportsFor?.(work.externalId) ?? [];
  if (!options.enricher) return { memberships: [], exports: drafts };
  const enrichment = options.enricher({
    externalId: work.externalId,
    before: work.existing ? work.before : undefined,
    after: work.after,
    changes: diffAttributes(work.before, work.after),
    events: work.events,
    purchases: work.purchases,
    memberships,
  });
  for (const ops of enrichment.ops) {
    try {
      work.after = applyAttributeOps(work.after, ops).attributes;
    } catch (error) {
      throw error instanceof AttributeOpError ? error.forUser(work.externalId) : error;
    }
  }
  return { memberships: enrichment.memberships, exports: [...drafts, ...enrichment.exports] };
}

export interface InternalApplyOptions extends ApplyTrackOptions {
  /** Exports written for a user along with the change (the due-membership path). */
  exportsFor?: (externalId: string) => ExportDraft[];
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
  const users = collectUsers(stmts, batch);
  const ids = [...users.keys()];
  const memberships = options.enricher ? membershipsByUser(stmts, ids) : new Map<string, ProgramMembership[]>();
  const lastEnqueued = lastEnqueuedOf(stmts, ids);
  const writes = new TrackWrites();

  for (const work of users.values()) {
    const current = memberships.get(work.externalId) ?? [];
    const enrichment = enrich(work, current, options);
    const changes = diffAttributes(work.before, work.after);
    // A profile is rewritten only when an attribute changed: updated_at is the last change, and
    // an event alone costs no random page write in the profiles table.
    if (!work.existing || changes.length > 0) writes.profiles.push([work.externalId, JSON.stringify(work.after), at, at]);
    writes.memberships.add(work.externalId, enrichment.memberships, current, at);

    for (const event of work.events) {
      writes.events.push([work.externalId, event.name, event.time, JSON.stringify(event.properties), at]);
      exports.push({
        type: 'user_event',
        at,
        externalId: work.externalId,
        data: { name: event.name, time: event.time, properties: event.properties },
      });
    }
    for (const purchase of work.purchases) {
      writes.purchases.push([
        work.externalId,
        purchase.productId,
        purchase.currency,
        purchase.price,
        purchase.quantity,
        purchase.time,
        JSON.stringify(purchase.properties),
        at,
      ]);
      exports.push({
        type: 'purchase',
        at,
        externalId: work.externalId,
        data: {
          product_id: purchase.productId,
          currency: purchase.currency,
          price: purchase.price,
          quantity: purchase.quantity,
          time: purchase.time,
          properties: purchase.properties,
        },
      });
    }
    for (const change of changes) {
      exports.push({
        type: 'attribute_changed',
        at,
        externalId: work.externalId,
        data: { attribute: change.attribute, before: change.before ?? null, after: change.after ?? null },
      });
    }
    for (const draft of enrichment.exports) exports.push({ ...draft, at, externalId: work.externalId });

    const activity: UserActivity = {
      externalId: work.externalId,
      before: work.existing ? work.before : undefined,
      after: work.after,
      changes,
      events: work.events,
      purchases: work.purchases,
      lastEnqueuedAt: { ...lastEnqueued.get(work.externalId) },
    };
    activities.push(activity);

    for (const planned of planner(activity)) {
      const row: DeliveryRow = {
        id: newTimeOrderedId(now.getTime()),
        campaign_id: planned.campaignId,
        external_id: planned.externalId,
        idempotency_key: newIdempotencyKey(),
        status: 'queued',
        attempts: 0,
        trigger: JSON.stringify(planned.trigger),
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
      writes.addDelivery(row);
      // A later user of this batch sees the send as the stored row would show it.
      let seen = lastEnqueued.get(planned.externalId);
      if (!seen) lastEnqueued.set(planned.externalId, (seen = {}));
      seen[planned.campaignId] = at;
      exports.push({
        type: 'webhook_enqueued',
        at,
        externalId: planned.externalId,
        campaignId: planned.campaignId,
        deliveryId: row.id,
        data: { trigger: planned.trigger },
      });
      deliveries.push(toDelivery(row));
    }
  }
  writes.flush(stmts);
  insertExportEvents(stmts, exports);
  return { activities, deliveries };
}

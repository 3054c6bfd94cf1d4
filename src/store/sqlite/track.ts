// applyTrack for SQLite: the profile changes, events, purchases, planned deliveries and export
// events of one /users/track batch. Called inside one transaction by the store.
import { applyAttributeOps, AttributeOpError, diffAttributes } from '../../profiles/index.js';
import { newIdempotencyKey, newTimeOrderedId } from '../ids.js';
import type {
  ApplyTrackOptions,
  Attributes,
  Delivery,
  Enrichment,
  ExportDraft,
  ExportEvent,
  Purchase,
  SendPlanner,
  TrackBatch,
  UserActivity,
  UserEvent,
} from '../types.js';
import { insertExportEvents } from './exports.js';
import { membershipsOf, moveCursorInTransaction, writeMemberships } from './programs.js';
import { type DeliveryRow, type ProfileRow, type StatementCache, toDelivery } from './rows.js';

interface UserWork {
  externalId: string;
  existing: ProfileRow | undefined;
  before: Attributes;
  after: Attributes;
  events: UserEvent[];
  purchases: Purchase[];
}

function collectUsers(stmts: StatementCache, batch: TrackBatch): Map<string, UserWork> {
  const users = new Map<string, UserWork>();
  const touch = (externalId: string): UserWork => {
    let work = users.get(externalId);
    if (!work) {
      const existing = stmts.get('SELECT * FROM profiles WHERE external_id = ?').get(externalId) as
        | ProfileRow
        | undefined;
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

function lastEnqueuedFor(stmts: StatementCache, externalId: string): Record<string, string> {
  const rows = stmts
    .get('SELECT campaign_id, last_enqueued_at FROM campaign_eligibility WHERE external_id = ?')
    .all(externalId) as { campaign_id: string; last_enqueued_at: string }[];
  return Object.fromEntries(rows.map((row) => [row.campaign_id, row.last_enqueued_at]));
}

/** Runs the enricher on one user's work and applies its operations; returns what it asks to write. */
function enrich(stmts: StatementCache, work: UserWork, options: InternalApplyOptions): Pick<Enrichment, 'memberships' | 'exports'> {
  const drafts = options.exportsFor?.(work.externalId) ?? [];
  if (!options.enricher) return { memberships: [], exports: drafts };
  const enrichment = options.enricher({
    externalId: work.externalId,
    before: work.existing ? work.before : undefined,
    after: work.after,
    changes: diffAttributes(work.before, work.after),
    events: work.events,
    purchases: work.purchases,
    memberships: membershipsOf(stmts, work.externalId),
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

  for (const work of collectUsers(stmts, batch).values()) {
    const enrichment = enrich(stmts, work, options);
    const changes = diffAttributes(work.before, work.after);
    stmts
      .get(
        `INSERT INTO profiles (external_id, attributes, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (external_id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at`,
      )
      .run(work.externalId, JSON.stringify(work.after), at, at);
    writeMemberships(stmts, work.externalId, enrichment.memberships, at);

    for (const event of work.events) {
      stmts
        .get('INSERT INTO events (external_id, name, time, properties, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(work.externalId, event.name, event.time, JSON.stringify(event.properties), at);
      exports.push({
        type: 'user_event',
        at,
        externalId: work.externalId,
        data: { name: event.name, time: event.time, properties: event.properties },
      });
    }
    for (const purchase of work.purchases) {
      stmts
        .get(
          `INSERT INTO purchases (external_id, product_id, currency, price, quantity, time, properties, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          work.externalId,
          purchase.productId,
          purchase.currency,
          purchase.price,
          purchase.quantity,
          purchase.time,
          JSON.stringify(purchase.properties),
          at,
        );
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
      lastEnqueuedAt: lastEnqueuedFor(stmts, work.externalId),
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
      stmts
        .get(
          `INSERT INTO deliveries (id, campaign_id, external_id, idempotency_key, status, attempts, trigger,
             next_attempt_at, created_at, updated_at)
           VALUES (@id, @campaign_id, @external_id, @idempotency_key, @status, @attempts, @trigger,
             @next_attempt_at, @created_at, @updated_at)`,
        )
        .run(row);
      stmts
        .get(
          `INSERT INTO campaign_eligibility (campaign_id, external_id, last_enqueued_at) VALUES (?, ?, ?)
           ON CONFLICT (campaign_id, external_id) DO UPDATE SET last_enqueued_at = excluded.last_enqueued_at`,
        )
        .run(planned.campaignId, planned.externalId, at);
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
  insertExportEvents(stmts, exports);
  return { activities, deliveries };
}

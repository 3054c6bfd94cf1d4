// applyTrack on PostgreSQL: one transaction that locks the batch's profiles, applies the
// attribute operations, and writes the planned deliveries and export events (transactional
// outbox; events and purchases are kept there). Writes are set-based (unnest) to keep round trips flat.
import type pg from 'pg';
import type { Delivery, ExportEvent, MembershipWrite, ProgramMembership, SendPlanner, TrackBatch, UserActivity } from '../../domain/index.js';
import { databaseTime } from './clock.js';
import { applyUserOps, type InternalApplyOptions, newUserWork, planUser, newDeliveryRow, type UserWork } from '../track-plan.js';
import { insertExportEvents } from './exports.js';
import { membershipsOf, moveCursor, writeMemberships } from './programs.js';
import { type DeliveryRow, json, type ProfileRow, toDelivery } from './rows.js';

export type { InternalApplyOptions } from '../track-plan.js';

/** Users in first-appearance order (attributes, then events, then purchases), like SQLite. */
function usersOf(batch: TrackBatch): string[] {
  const ids = new Set<string>();
  for (const entry of batch.attributes) ids.add(entry.externalId);
  for (const event of batch.events) ids.add(event.externalId);
  for (const purchase of batch.purchases) ids.add(purchase.externalId);
  return [...ids];
}

/**
 * Creates missing profiles as empty placeholders, then locks every profile of the batch in one
 * stable order. Two instances updating the same user therefore run one after the other and the
 * second reads what the first committed (no lost `inc`). A concurrent creator of the same new
 * profile makes the insert wait, then find the row.
 */
async function lockUsers(client: pg.ClientBase, ids: string[], at: string): Promise<Map<string, UserWork>> {
  const sorted = [...ids].sort();
  const created = await client.query<{ external_id: string }>({
    name: 'lh_create_profiles',
    text: `INSERT INTO profiles (external_id, attributes, created_at, updated_at)
           SELECT id, '{}', $2, $2 FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n
           ON CONFLICT (external_id) DO NOTHING RETURNING external_id`,
    values: [sorted, at],
  });
  const isNew = new Set(created.rows.map((r) => r.external_id));
  const locked = await client.query<ProfileRow>({
    name: 'lh_lock_profile_rows',
    text: 'SELECT * FROM profiles WHERE external_id = ANY($1::text[]) ORDER BY external_id FOR UPDATE',
    values: [sorted],
  });
  const rows = new Map(locked.rows.map((r) => [r.external_id, r]));
  const users = new Map<string, UserWork>();
  for (const externalId of ids) {
    users.set(externalId, newUserWork(externalId, isNew.has(externalId), isNew.has(externalId) ? {} : rows.get(externalId)!.attributes));
  }
  return users;
}

async function eligibilityOf(client: pg.ClientBase, ids: string[]): Promise<Map<string, Record<string, string>>> {
  const { rows } = await client.query<{ campaign_id: string; external_id: string; last_enqueued_at: string }>({
    name: 'lh_eligibility',
    text: 'SELECT campaign_id, external_id, last_enqueued_at FROM campaign_eligibility WHERE external_id = ANY($1::text[])',
    values: [ids],
  });
  const byUser = new Map<string, Record<string, string>>();
  for (const row of rows) {
    const entry = byUser.get(row.external_id) ?? {};
    entry[row.campaign_id] = row.last_enqueued_at;
    byUser.set(row.external_id, entry);
  }
  return byUser;
}

export async function applyTrackInTransaction(
  client: pg.ClientBase,
  batch: TrackBatch,
  planner: SendPlanner,
  now: Date,
  options: InternalApplyOptions = {},
): Promise<{ activities: UserActivity[]; deliveries: Delivery[] }> {
  const at = now.toISOString();
  // First, so a conflicting watermark fails before any row is locked or written.
  if (options.cursor) await moveCursor(client, options.cursor, at);
  const ids = usersOf(batch);
  if (ids.length === 0) return { activities: [], deliveries: [] };
  const users = await lockUsers(client, ids, at);
  // Entries for the same user apply in request order.
  for (const entry of batch.attributes) applyUserOps(users.get(entry.externalId)!, entry.ops);
  for (const event of batch.events) users.get(event.externalId)!.events.push(event);
  for (const purchase of batch.purchases) users.get(purchase.externalId)!.purchases.push(purchase);
  const eligibility = await eligibilityOf(client, ids);
  // Read under the profile locks: nobody else changes these users' memberships meanwhile.
  const memberships = options.enricher ? await membershipsOf(client, ids) : new Map<string, ProgramMembership[]>();

  const activities: UserActivity[] = [];
  const deliveries: DeliveryRow[] = [];
  const exports: Omit<ExportEvent, 'seq'>[] = [];
  const membershipWrites: { externalId: string; write: MembershipWrite }[] = [];
  const changed: UserWork[] = [];
  for (const work of users.values()) {
    const plan = planUser(work, memberships.get(work.externalId) ?? [], eligibility, planner, now, options);
    for (const write of plan.memberships) membershipWrites.push({ externalId: work.externalId, write });
    if (plan.changes.length > 0) changed.push(work);
    for (const send of plan.sends) deliveries.push(newDeliveryRow(send, now, send.trigger, options.claimNew));
    exports.push(...plan.exports);
    activities.push(plan.activity);
  }

  // Only profiles whose attributes changed (new ones exist already as placeholders, see above):
  // updated_at is the last change, and an event alone rewrites no profile row.
  await writeProfiles(client, changed, at);
  await writeMemberships(client, membershipWrites, at);
  await insertDeliveries(client, deliveries);
  await insertExportEvents(client, exports);
  return { activities, deliveries: deliveries.map(toDelivery) };
}

async function writeProfiles(client: pg.ClientBase, users: UserWork[], at: string): Promise<void> {
  if (users.length === 0) return;
  await client.query({
    name: 'lh_write_profiles',
    text: `UPDATE profiles p SET attributes = v.attributes::json, updated_at = $3
           FROM unnest($1::text[], $2::text[]) AS v(external_id, attributes) WHERE p.external_id = v.external_id`,
    values: [users.map((u) => u.externalId), users.map((u) => JSON.stringify(u.after)), at],
  });
}

async function insertDeliveries(client: pg.ClientBase, rows: DeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof DeliveryRow>(key: K) => rows.map((r) => r[key]);
  await client.query({
    name: 'lh_insert_deliveries',
    // A delivery written leased (a worker's hand-off) gets its lease from the database clock: the
    // same length as planned, counted from now() (see clock.ts).
    text: `INSERT INTO deliveries (id, campaign_id, external_id, idempotency_key, status, attempts, trigger,
             next_attempt_at, lease_owner, lease_until, created_at, updated_at)
           SELECT id, campaign_id, external_id, idempotency_key, status, 0, trigger::json, $6, lease_owner,
             CASE WHEN lease_until IS NULL THEN NULL
               ELSE ${databaseTime(`EXTRACT(EPOCH FROM lease_until::timestamptz - $6::text::timestamptz) * 1000`)} END,
             $6, $6
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $7::text[], $8::text[], $9::text[])
             AS d(id, campaign_id, external_id, idempotency_key, trigger, status, lease_owner, lease_until)`,
    values: [
      col('id'),
      col('campaign_id'),
      col('external_id'),
      col('idempotency_key'),
      rows.map((r) => json(r.trigger)),
      rows[0]!.created_at,
      col('status'),
      col('lease_owner'),
      col('lease_until'),
    ],
  });
  // One row per (campaign, user), in a stable order so concurrent upserts cannot deadlock.
  const pairs = [...new Map(rows.map((r) => [`${r.campaign_id}\u0000${r.external_id}`, r])).values()].sort((a, b) =>
    a.campaign_id === b.campaign_id ? (a.external_id < b.external_id ? -1 : 1) : a.campaign_id < b.campaign_id ? -1 : 1,
  );
  await client.query({
    name: 'lh_upsert_eligibility',
    text: `INSERT INTO campaign_eligibility (campaign_id, external_id, last_enqueued_at)
           SELECT campaign_id, external_id, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS e(campaign_id, external_id, n)
           ORDER BY n
           ON CONFLICT (campaign_id, external_id) DO UPDATE SET last_enqueued_at = excluded.last_enqueued_at`,
    values: [pairs.map((p) => p.campaign_id), pairs.map((p) => p.external_id), rows[0]!.created_at],
  });
}

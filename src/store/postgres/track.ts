// Profile changes on PostgreSQL: lock and read the state of the users, plan with the shared rules
// (rules/track.ts), write the plan set-based (unnest) to keep round trips flat. The same path
// serves /users/track batches, the updates of delivered sends and due memberships.
import type pg from 'pg';
import type { Attributes, DeliveredUpdate, Delivery, MembershipWrite, TrackBatch } from '../../domain/index.js';
import type { ApplyTrackOptions, ChangeRules, NewDeliveryLease, RecordOutcomesResult, TrackResult } from '../ports.js';
import { scoreChangesIn, trackRules } from '../rules/compile.js';
import { planDeliveredUpdates, usersOfUpdates } from '../rules/delivered-updates.js';
import { newDeliveryRows } from '../rules/new-delivery.js';
import { planTrack, type TrackPlan, type TrackRules, type TrackState, usersOf } from '../rules/track.js';
import { databaseTime } from './clock.js';
import { insertExportEvents } from './exports.js';
import { membershipsOf, moveCursor, writeMemberships } from './programs.js';
import { type DeliveryRow, json, type ProfileRow, toDelivery } from './rows.js';

/**
 * Creates missing profiles as empty placeholders, then locks every profile of the batch in one
 * stable order. Two instances updating the same user therefore run one after the other and the
 * second reads what the first committed (no lost `inc`). A concurrent creator of the same new
 * profile makes the insert wait, then find the row. Returns the stored attributes of the users
 * that had a profile before.
 */
async function lockUsers(client: pg.ClientBase, ids: string[], at: string): Promise<Map<string, Attributes>> {
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
  return new Map(locked.rows.filter((r) => !isNew.has(r.external_id)).map((r) => [r.external_id, r.attributes]));
}

export async function eligibilityOf(client: pg.ClientBase, ids: string[]): Promise<Map<string, Record<string, string>>> {
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

/** Locks and reads the state of these users (memberships only for an enricher). */
async function readState(client: pg.ClientBase, ids: string[], at: string, withMemberships: boolean): Promise<TrackState> {
  const stored = await lockUsers(client, ids, at);
  const state: TrackState = { stored, lastEnqueued: await eligibilityOf(client, ids) };
  // Read under the profile locks: nobody else changes these users' memberships meanwhile.
  if (withMemberships) state.memberships = await membershipsOf(client, ids);
  return state;
}

/** Writes a plan: profiles whose attributes changed, memberships, deliveries, eligibility and exports. */
export async function writePlan(client: pg.ClientBase, plan: TrackPlan, now: Date, lease?: NewDeliveryLease): Promise<Delivery[]> {
  const at = now.toISOString();
  // New profiles exist already as placeholders (see lockUsers): updated_at is the last change,
  // and an event alone rewrites no profile row.
  await writeProfiles(
    client,
    plan.users.filter((u) => u.changed),
    at,
  );
  const memberships: { externalId: string; write: MembershipWrite }[] = [];
  for (const user of plan.users) for (const write of user.memberships) memberships.push({ externalId: user.externalId, write });
  await writeMemberships(client, memberships, at);
  const rows = newDeliveryRows(plan.sends, now, (trigger) => trigger, lease);
  await insertDeliveries(client, rows);
  await insertExportEvents(client, plan.exports);
  return rows.map(toDelivery);
}

export async function applyTrackInTransaction(
  client: pg.ClientBase,
  batch: TrackBatch,
  rules: ChangeRules,
  now: Date,
  options: ApplyTrackOptions = {},
): Promise<TrackResult> {
  const at = now.toISOString();
  // First, so a conflicting watermark fails before any row is locked or written.
  if (options.cursor) await moveCursor(client, options.cursor, at);
  const ids = usersOf(batch);
  if (ids.length === 0) return { activities: [], deliveries: [], scoreChanges: 0 };
  const track = trackRules(rules, rules.at ?? now);
  const state = await readState(client, ids, at, track.enricher !== undefined);
  const plan = planTrack(batch, state, track, now);
  return { activities: plan.activities, deliveries: await writePlan(client, plan, now, options.lease), scoreChanges: scoreChangesIn(plan.exports) };
}

/** The updates of delivered sends whose outcome was written, planned and written together. */
export async function applyDeliveredUpdatesInTransaction(
  client: pg.ClientBase,
  updates: DeliveredUpdate[],
  rules: TrackRules,
  now: Date,
): Promise<RecordOutcomesResult> {
  if (updates.length === 0) return { deliveries: [], refused: [], scoreChanges: 0 };
  const state = await readState(client, usersOfUpdates(updates), now.toISOString(), rules.enricher !== undefined);
  const { plan, refused } = planDeliveredUpdates(updates, state, rules, now);
  return { deliveries: await writePlan(client, plan, now), refused, scoreChanges: scoreChangesIn(plan.exports) };
}

async function writeProfiles(client: pg.ClientBase, users: TrackPlan['users'], at: string): Promise<void> {
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

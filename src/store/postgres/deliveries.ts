// Outbox operations on PostgreSQL: claiming with FOR UPDATE SKIP LOCKED and leases, recording
// outcomes in one transaction, release and replay. Lock order everywhere: profiles (sorted by
// external_id), then deliveries (sorted by id), then campaign_eligibility — so concurrent
// instances wait for each other instead of deadlocking.
import { assertReplayable, replayChanges, type ReplayOptions } from '../../domain/index.js';
import type pg from 'pg';
import type { Attributes, Delivery, DeliveryFilter, DeliveryOutcome } from '../../domain/index.js';
import type { RecordOutcomesOptions } from '../ports.js';
import { type EligibilityKey, eligibilityKeys, eligibilityWrite, LIVE_STATUSES_SQL, NOT_RECEIVED } from '../rules/eligibility.js';
import { type AttemptWrite, checkOutcomes, type LockedDelivery, planOutcomes } from '../rules/outcome.js';
import { databaseTime } from './clock.js';
import { insertExportEvents } from './exports.js';
import { type DeliveryRow, json, toDelivery } from './rows.js';

export async function claim(
  client: pg.Pool | pg.ClientBase,
  owner: string,
  limit: number,
  now: Date,
  leaseMs: number,
): Promise<Delivery[]> {
  const take = Math.max(0, Math.floor(limit));
  if (take === 0) return [];
  const at = now.toISOString();
  // Rows another claimer holds are skipped, not waited for; a row it already moved to `sending`
  // no longer matches when re-checked after the lock, so each delivery goes to one claimer.
  // Leases end and start by the database clock (see clock.ts); due times are the caller's.
  const { rows } = await client.query<DeliveryRow & { due: string }>({
    name: 'lh_claim',
    text: `WITH queued AS (
             SELECT id, next_attempt_at AS due FROM deliveries
             WHERE status = 'queued' AND next_attempt_at <= $1
             ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
           ), expired AS (
             SELECT id, lease_until AS due FROM deliveries
             WHERE status = 'sending' AND lease_until <= ${databaseTime()}
             ORDER BY lease_until, id LIMIT $2 FOR UPDATE SKIP LOCKED
           ), picked AS (
             SELECT id, due FROM queued UNION ALL SELECT id, due FROM expired ORDER BY due, id LIMIT $2
           )
           UPDATE deliveries d SET status = 'sending', lease_owner = $3, lease_until = ${databaseTime('$4')}, updated_at = $1
           FROM picked WHERE d.id = picked.id
           RETURNING d.*, picked.due`,
    values: [at, take, owner, leaseMs],
  });
  rows.sort((a, b) => (a.due === b.due ? (a.id < b.id ? -1 : 1) : a.due < b.due ? -1 : 1));
  return rows.map(toDelivery);
}

/** Locks the profiles of these users (sorted), the per-user mutex of all user-scoped state. */
export async function lockProfiles(client: pg.ClientBase, externalIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(externalIds)];
  if (ids.length === 0) return;
  await client.query({
    name: 'lh_lock_profiles',
    text: 'SELECT 1 FROM profiles WHERE external_id = ANY($1::text[]) ORDER BY external_id FOR UPDATE',
    values: [ids],
  });
}

/**
 * Re-eligibility of these pairs (see rules/eligibility.ts), in a stable order. Callers hold the
 * users' profile locks, so no applyTrack for them runs meanwhile.
 */
async function refreshEligibility(client: pg.ClientBase, keys: EligibilityKey[]): Promise<void> {
  for (const { campaignId, externalId } of eligibilityKeys(keys)) {
    const { rows } = await client.query<{ last: string | null }>({
      name: 'lh_live_eligibility',
      text: `SELECT MAX(created_at) AS last FROM deliveries WHERE external_id = $2 AND campaign_id = $1 AND status IN (${LIVE_STATUSES_SQL})`,
      values: [campaignId, externalId],
    });
    const write = eligibilityWrite(rows[0]?.last ?? null);
    if (write.action === 'delete') {
      await client.query({
        name: 'lh_drop_eligibility',
        text: 'DELETE FROM campaign_eligibility WHERE campaign_id = $1 AND external_id = $2',
        values: [campaignId, externalId],
      });
    } else {
      await client.query({
        name: 'lh_set_eligibility',
        text: `INSERT INTO campaign_eligibility (campaign_id, external_id, last_enqueued_at) VALUES ($1, $2, $3)
               ON CONFLICT (campaign_id, external_id) DO UPDATE SET last_enqueued_at = excluded.last_enqueued_at`,
        values: [campaignId, externalId, write.lastEnqueuedAt],
      });
    }
  }
}

export type RecordOptions = RecordOutcomesOptions;

/**
 * Locks the rows (first the profiles of sends that did not arrive and `alsoLock`), applies the
 * shared rule, writes.
 */
export async function recordOutcomes(
  client: pg.ClientBase,
  outcomes: DeliveryOutcome[],
  now: Date,
  owner: string | undefined,
  alsoLock: readonly string[] = [],
): Promise<Set<string>> {
  checkOutcomes(outcomes);
  const ids = [...new Set(outcomes.map((o) => o.id))];
  const owners = await client.query<{ id: string; external_id: string }>({
    name: 'lh_delivery_users',
    text: 'SELECT id, external_id FROM deliveries WHERE id = ANY($1::text[])',
    values: [ids],
  });
  const userOf = new Map(owners.rows.map((r) => [r.id, r.external_id]));
  const unknown = ids.find((id) => !userOf.has(id));
  if (unknown !== undefined) throw new Error(`recordOutcomes: unknown delivery ${unknown}`);
  await lockProfiles(client, [...outcomes.filter((o) => NOT_RECEIVED.has(o.status)).map((o) => userOf.get(o.id)!), ...alsoLock]);
  const locked = await client.query<DeliveryRow>({
    name: 'lh_lock_deliveries',
    text: 'SELECT * FROM deliveries WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    values: [ids],
  });
  const plan = planOutcomes(new Map(locked.rows.map((r) => [r.id, r])), outcomes, owner, now.toISOString(), (log) => log);
  await writeDeliveryStates(client, [...plan.changed.values()]);
  await insertAttempts(client, plan.attempts);
  await refreshEligibility(client, plan.eligibility);
  await insertExportEvents(client, plan.exports);
  return new Set(plan.changed.keys());
}

async function writeDeliveryStates(client: pg.ClientBase, rows: LockedDelivery<Attributes>[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof LockedDelivery<Attributes>>(key: K) => rows.map((r) => r[key]);
  await client.query({
    name: 'lh_write_deliveries',
    text: `UPDATE deliveries d SET status = v.status, attempts = v.attempts, next_attempt_at = v.next_attempt_at,
             first_attempt_at = v.first_attempt_at, last_error = v.last_error, failure_code = v.failure_code,
             abort_reason = v.abort_reason, request = v.request::json, lease_owner = NULL, lease_until = NULL, updated_at = v.updated_at
           FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
             AS v(id, status, attempts, next_attempt_at, first_attempt_at, last_error, abort_reason, request, updated_at, failure_code)
           WHERE d.id = v.id`,
    values: [
      col('id'),
      col('status'),
      col('attempts'),
      col('next_attempt_at'),
      col('first_attempt_at'),
      col('last_error'),
      col('abort_reason'),
      rows.map((r) => json(r.request)),
      col('updated_at'),
      col('failure_code'),
    ],
  });
}

async function insertAttempts(client: pg.ClientBase, attempts: AttemptWrite[]): Promise<void> {
  if (attempts.length === 0) return;
  const col = <T>(pick: (a: AttemptWrite['attempt']) => T) => attempts.map((a) => pick(a.attempt));
  await client.query({
    name: 'lh_insert_attempts',
    text: `INSERT INTO delivery_attempts (delivery_id, attempt, at, status_code, latency_ms, response_body, error, request, message_extras)
           SELECT delivery_id, attempt, at, status_code, latency_ms, response_body, error, request::json, message_extras::json
           FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::text[])
             WITH ORDINALITY AS a(delivery_id, attempt, at, status_code, latency_ms, response_body, error, request, message_extras, n)
           ORDER BY n`,
    values: [
      attempts.map((a) => a.deliveryId),
      col((a) => a.attempt),
      col((a) => a.at),
      col((a) => a.statusCode ?? null),
      col((a) => a.latencyMs),
      col((a) => a.responseBody ?? null),
      col((a) => a.error ?? null),
      attempts.map((a) => json(a.request)),
      attempts.map((a) => json(a.messageExtras)),
    ],
  });
}

export async function renewLeases(db: pg.Pool | pg.ClientBase, owner: string, ids: string[], leaseMs: number): Promise<number> {
  const result = await db.query({
    name: 'lh_renew_leases',
    // Rows locked in id order, like every other multi-row delivery write, so a renewal running
    // beside the same worker's outcome commit waits instead of deadlocking.
    text: `UPDATE deliveries SET lease_until = ${databaseTime('$3')}
           WHERE status = 'sending' AND lease_owner = $2 AND id IN (
             SELECT id FROM deliveries WHERE id = ANY($1::text[]) AND status = 'sending' AND lease_owner = $2
             ORDER BY id FOR UPDATE)`,
    values: [ids, owner, leaseMs],
  });
  return result.rowCount ?? 0;
}

/** Fenced by owner: a delivery another instance took over (or that finished) is not put back. */
export async function release(client: pg.ClientBase, owner: string, ids: string[], now: Date): Promise<void> {
  await client.query({
    name: 'lh_release',
    text: `UPDATE deliveries SET status = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = $2
           WHERE id IN (SELECT id FROM deliveries WHERE id = ANY($1::text[]) AND status = 'sending' AND lease_owner = $3
                        ORDER BY id FOR UPDATE)`,
    values: [ids, now.toISOString(), owner],
  });
}

export async function replay(client: pg.ClientBase, id: string, now: Date, options?: ReplayOptions): Promise<Delivery | undefined> {
  const found = await client.query<{ external_id: string }>('SELECT external_id FROM deliveries WHERE id = $1', [id]);
  if (found.rows.length === 0) return undefined;
  await lockProfiles(client, [found.rows[0]!.external_id]);
  const row = (await client.query<DeliveryRow>('SELECT * FROM deliveries WHERE id = $1 FOR UPDATE', [id])).rows[0]!;
  assertReplayable(id, row.status, options);
  const set = replayChanges(now);
  const at = set.updated_at;
  // Same idempotency key: a receiver that already applied the request can recognise the repeat.
  const replayed = await client.query<DeliveryRow>(
    `UPDATE deliveries SET status = $1, next_attempt_at = $2, first_attempt_at = $3, abort_reason = $4,
       lease_owner = $5, lease_until = $6, updated_at = $7
     WHERE id = $8 RETURNING *`,
    [set.status, set.next_attempt_at, set.first_attempt_at, set.abort_reason, set.lease_owner, set.lease_until, set.updated_at, id],
  );
  await refreshEligibility(client, [{ campaignId: row.campaign_id, externalId: row.external_id }]);
  await insertExportEvents(client, [
    {
      type: 'webhook_replayed',
      at,
      externalId: row.external_id,
      campaignId: row.campaign_id,
      deliveryId: row.id,
      data: { previous_status: row.status },
    },
  ]);
  return toDelivery(replayed.rows[0]!);
}

export async function listDeliveries(client: pg.Pool, filter: DeliveryFilter): Promise<Delivery[]> {
  const where: string[] = [];
  const values: (string | number)[] = [];
  const add = (sql: string, value: string) => (values.push(value), where.push(sql.replace('?', `$${values.length}`)));
  if (filter.campaignId !== undefined) add('campaign_id = ?', filter.campaignId);
  if (filter.externalId !== undefined) add('external_id = ?', filter.externalId);
  if (filter.status !== undefined) add('status = ?', filter.status);
  if (filter.beforeId !== undefined) add('id < ?', filter.beforeId);
  values.push(Math.min(Math.max(1, Math.floor(filter.limit ?? 100)), 1000));
  const sql = `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id DESC LIMIT $${values.length}`;
  return (await client.query<DeliveryRow>(sql, values)).rows.map(toDelivery);
}

// Outbox operations on PostgreSQL: claiming with FOR UPDATE SKIP LOCKED and leases, recording
// outcomes in one transaction, release and replay. Lock order everywhere: profiles (sorted by
// external_id), then deliveries (sorted by id), then campaign_eligibility — so concurrent
// instances wait for each other instead of deadlocking.
import { assertReplayable, replayChanges, type ReplayOptions } from '../../domain/index.js';
import type pg from 'pg';
import type { Delivery, DeliveryFilter, DeliveryOutcome, ExportEvent } from '../../domain/index.js';
import type { RecordOutcomesOptions } from '../ports.js';
import { NOT_RECEIVED, outcomeExportEvents } from '../outcome-exports.js';
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
  const { rows } = await client.query<DeliveryRow & { due: string }>({
    name: 'lh_claim',
    text: `WITH queued AS (
             SELECT id, next_attempt_at AS due FROM deliveries
             WHERE status = 'queued' AND next_attempt_at <= $1
             ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
           ), expired AS (
             SELECT id, lease_until AS due FROM deliveries
             WHERE status = 'sending' AND lease_until <= $1
             ORDER BY lease_until, id LIMIT $2 FOR UPDATE SKIP LOCKED
           ), picked AS (
             SELECT id, due FROM queued UNION ALL SELECT id, due FROM expired ORDER BY due, id LIMIT $2
           )
           UPDATE deliveries d SET status = 'sending', lease_owner = $3, lease_until = $4, updated_at = $1
           FROM picked WHERE d.id = picked.id
           RETURNING d.*, picked.due`,
    values: [at, take, owner, new Date(now.getTime() + leaseMs).toISOString()],
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
 * Re-eligibility counts sends a user received or may still receive (see the SQLite backend).
 * Callers hold the user's profile lock, so no applyTrack for that user runs meanwhile.
 */
async function refreshEligibility(client: pg.ClientBase, pairs: { campaignId: string; externalId: string }[]): Promise<void> {
  const unique = [...new Map(pairs.map((p) => [`${p.campaignId}\u0000${p.externalId}`, p])).values()].sort((a, b) =>
    a.campaignId === b.campaignId ? (a.externalId < b.externalId ? -1 : 1) : a.campaignId < b.campaignId ? -1 : 1,
  );
  for (const { campaignId, externalId } of unique) {
    await client.query({
      name: 'lh_refresh_eligibility',
      text: `WITH live AS (
               SELECT MAX(created_at) AS last FROM deliveries
               WHERE external_id = $2 AND campaign_id = $1 AND status IN ('queued', 'sending', 'delivered')
             ), dropped AS (
               DELETE FROM campaign_eligibility WHERE campaign_id = $1 AND external_id = $2
                 AND (SELECT last FROM live) IS NULL
             )
             INSERT INTO campaign_eligibility (campaign_id, external_id, last_enqueued_at)
             SELECT $1, $2, last FROM live WHERE last IS NOT NULL
             ON CONFLICT (campaign_id, external_id) DO UPDATE SET last_enqueued_at = excluded.last_enqueued_at`,
      values: [campaignId, externalId],
    });
  }
}

export type RecordOptions = RecordOutcomesOptions;

export async function recordOutcomes(
  client: pg.ClientBase,
  outcomes: DeliveryOutcome[],
  now: Date,
  options: RecordOptions = {},
): Promise<Set<string>> {
  const at = now.toISOString();
  const ids = [...new Set(outcomes.map((o) => o.id))];
  for (const outcome of outcomes) {
    if (outcome.status === 'retry' && !outcome.nextAttemptAt) {
      throw new Error(`recordOutcomes: delivery ${outcome.id} has status retry but no nextAttemptAt`);
    }
  }
  const owners = await client.query<{ id: string; external_id: string }>(
    'SELECT id, external_id FROM deliveries WHERE id = ANY($1::text[])',
    [ids],
  );
  const userOf = new Map(owners.rows.map((r) => [r.id, r.external_id]));
  const unknown = ids.find((id) => !userOf.has(id));
  if (unknown !== undefined) throw new Error(`recordOutcomes: unknown delivery ${unknown}`);
  await lockProfiles(
    client,
    outcomes.filter((o) => NOT_RECEIVED.has(o.status)).map((o) => userOf.get(o.id)!),
  );
  const locked = await client.query<DeliveryRow>({
    name: 'lh_lock_deliveries',
    text: 'SELECT * FROM deliveries WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
    values: [ids],
  });
  const rows = new Map(locked.rows.map((r) => [r.id, r]));
  const holds = (row: DeliveryRow) =>
    options.owner === undefined || (row.status === 'sending' && row.lease_owner === options.owner);

  const attempts: AttemptWrite[] = [];
  const exports: Omit<ExportEvent, 'seq'>[] = [];
  const refresh: { campaignId: string; externalId: string }[] = [];
  const changed = new Map<string, DeliveryRow>();
  for (const outcome of outcomes) {
    const row = rows.get(outcome.id)!;
    if (!holds(row)) continue;
    const attempt = outcome.attempt;
    if (attempt) attempts.push({ row, attempt, request: outcome.request, messageExtras: outcome.messageExtras });
    // Same rules as the SQLite backend; later outcomes for the same id see earlier ones.
    const next: DeliveryRow = {
      ...row,
      status: outcome.status === 'retry' ? 'queued' : outcome.status,
      attempts: attempt ? Math.max(row.attempts + 1, attempt.attempt) : row.attempts,
      next_attempt_at: outcome.status === 'retry' ? new Date(outcome.nextAttemptAt!).toISOString() : row.next_attempt_at,
      first_attempt_at: row.first_attempt_at ?? outcome.firstAttemptAt ?? attempt?.at ?? null,
      last_error: outcome.error ?? attempt?.error ?? (outcome.status === 'delivered' ? null : row.last_error),
      abort_reason: outcome.abortReason ?? (outcome.status === 'aborted' ? row.abort_reason : null),
      // As on SQLite: an attempt keeps its request in its own row (see migration 6).
      request: outcome.request ? (attempt ? null : outcome.request) : row.request,
      lease_owner: null,
      lease_until: null,
      updated_at: at,
    };
    rows.set(row.id, next);
    changed.set(row.id, next);
    if (NOT_RECEIVED.has(outcome.status)) refresh.push({ campaignId: row.campaign_id, externalId: row.external_id });
    exports.push(...outcomeExportEvents(outcome, row, at));
  }
  await writeDeliveryStates(client, [...changed.values()]);
  await insertAttempts(client, attempts);
  await refreshEligibility(client, refresh);
  await insertExportEvents(client, exports);
  return new Set(changed.keys());
}

async function writeDeliveryStates(client: pg.ClientBase, rows: DeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof DeliveryRow>(key: K) => rows.map((r) => r[key]);
  await client.query({
    name: 'lh_write_deliveries',
    text: `UPDATE deliveries d SET status = v.status, attempts = v.attempts, next_attempt_at = v.next_attempt_at,
             first_attempt_at = v.first_attempt_at, last_error = v.last_error, abort_reason = v.abort_reason,
             request = v.request::json, lease_owner = NULL, lease_until = NULL, updated_at = v.updated_at
           FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
             AS v(id, status, attempts, next_attempt_at, first_attempt_at, last_error, abort_reason, request, updated_at)
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
    ],
  });
}

interface AttemptWrite {
  row: DeliveryRow;
  attempt: NonNullable<DeliveryOutcome['attempt']>;
  request: DeliveryOutcome['request'];
  messageExtras: DeliveryOutcome['messageExtras'];
}

async function insertAttempts(client: pg.ClientBase, attempts: AttemptWrite[]): Promise<void> {
  if (attempts.length === 0) return;
  const col = <T>(pick: (a: NonNullable<DeliveryOutcome['attempt']>) => T) => attempts.map((a) => pick(a.attempt));
  await client.query({
    name: 'lh_insert_attempts',
    text: `INSERT INTO delivery_attempts (delivery_id, attempt, at, status_code, latency_ms, response_body, error, request, message_extras)
           SELECT delivery_id, attempt, at, status_code, latency_ms, response_body, error, request::json, message_extras::json
           FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::text[])
             WITH ORDINALITY AS a(delivery_id, attempt, at, status_code, latency_ms, response_body, error, request, message_extras, n)
           ORDER BY n`,
    values: [
      attempts.map((a) => a.row.id),
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

export async function renewLeases(db: pg.Pool | pg.ClientBase, owner: string, ids: string[], until: Date): Promise<number> {
  const result = await db.query({
    name: 'lh_renew_leases',
    // Rows locked in id order, like every other multi-row delivery write, so a renewal running
    // beside the same worker's outcome commit waits instead of deadlocking.
    text: `UPDATE deliveries SET lease_until = $3
           WHERE status = 'sending' AND lease_owner = $2 AND id IN (
             SELECT id FROM deliveries WHERE id = ANY($1::text[]) AND status = 'sending' AND lease_owner = $2
             ORDER BY id FOR UPDATE)`,
    values: [ids, owner, until.toISOString()],
  });
  return result.rowCount ?? 0;
}

export async function release(client: pg.ClientBase, ids: string[], now: Date): Promise<void> {
  await client.query({
    name: 'lh_release',
    text: `UPDATE deliveries SET status = 'queued', lease_owner = NULL, lease_until = NULL, updated_at = $2
           WHERE id IN (SELECT id FROM deliveries WHERE id = ANY($1::text[]) AND status = 'sending' ORDER BY id FOR UPDATE)`,
    values: [ids, now.toISOString()],
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

// Instances sharing a PostgreSQL database, and the leases of those that died. Each instance
// writes a heartbeat by the database clock; an instance silent for longer than a threshold is
// taken for dead, and the leases it held end at once, so the others claim its sends without
// waiting out LIQUIDHOOK_LEASE_MS. A late result from an instance taken for dead that was only
// cut off is ignored (outcomes are fenced by lease owner), so the worst case is a repeat under
// the same Idempotency-Key, never a lost send.
import type pg from 'pg';
import { databaseTime } from './clock.js';

type Queryable = pg.Pool | pg.ClientBase;

export interface InstanceInfo {
  /** The lease owner its worker claims under. */
  id: string;
  host: string;
  pid: number;
  /** How long it may stay silent before the others take it for dead (its own heartbeats decide). */
  silentAfterMs: number;
}

/**
 * Records a heartbeat. Returns false when the instance had no row: its first beat, or one after
 * the others took it for dead and took its leases over.
 */
export async function beat(db: Queryable, instance: InstanceInfo): Promise<boolean> {
  const { rows } = await db.query<{ known: boolean }>({
    name: 'lh_instance_beat',
    text: `INSERT INTO instances (id, host, pid, started_at, heartbeat_at, silent_after_ms) VALUES ($1, $2, $3, now(), now(), $4)
           ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()
           RETURNING xmax <> 0 AS known`,
    values: [instance.id, instance.host, instance.pid, instance.silentAfterMs],
  });
  return rows[0]?.known === true;
}

export interface Takeover {
  /** Instances taken for dead (their rows are removed). */
  instances: string[];
  /** Their leased deliveries, whose leases now end. */
  deliveries: number;
}

/**
 * Takes over from every other instance whose last heartbeat is older than its silent_after_ms by
 * the database clock: removes it and ends its leases now, so any claim takes its sends. Rows are
 * locked in id order, like every other multi-row delivery write.
 */
export async function takeOverSilent(db: Queryable, self: string): Promise<Takeover> {
  const { rows } = await db.query<{ instances: string[] | null; deliveries: string }>({
    name: 'lh_instance_takeover',
    text: `WITH silent AS (
             DELETE FROM instances WHERE id <> $1 AND heartbeat_at < now() - silent_after_ms * interval '1 millisecond'
             RETURNING id
           ), ended AS (
             UPDATE deliveries SET lease_until = ${databaseTime()}
             WHERE id IN (
               SELECT id FROM deliveries WHERE status = 'sending' AND lease_owner IN (SELECT id FROM silent)
               ORDER BY id FOR UPDATE)
             RETURNING id
           )
           SELECT (SELECT array_agg(id ORDER BY id) FROM silent) AS instances, (SELECT COUNT(*) FROM ended) AS deliveries`,
    values: [self],
  });
  return { instances: rows[0]?.instances ?? [], deliveries: Number(rows[0]?.deliveries ?? 0) };
}

/** A clean stop: the instance's leases were released already; its row goes. */
export async function leave(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM instances WHERE id = $1', [id]);
}

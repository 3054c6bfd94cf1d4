// applyDueMemberships on PostgreSQL, set-based: claimed rows are handled in waves in which each
// user appears once, so a wave costs a handful of statements whatever its size, and a user with
// several due rows has them applied one after the other, each handler seeing the previous result.
import type pg from 'pg';
import type { Attributes, Delivery, DueHandler, DueMembership, DueOutcome, ExportDraft, SendPlanner, TrackBatch, UserActivity } from '../../domain/index.js';
import { claimDueMemberships } from './programs.js';
import { applyTrackInTransaction } from './track.js';

export interface DueResult {
  applied: number;
  activities: UserActivity[];
  deliveries: Delivery[];
}

/**
 * Locks the profiles of the claimed rows without waiting. A profile held by a profile update in
 * progress is left alone (its rows stay due for the next call): that update may itself be
 * waiting to write one of the membership rows claimed here, and waiting would deadlock.
 */
async function lockFreeProfiles(client: pg.ClientBase, externalIds: string[]): Promise<Map<string, Attributes>> {
  const { rows } = await client.query<{ external_id: string; attributes: Attributes }>({
    name: 'lh_lock_due_profiles',
    text: `SELECT external_id, attributes FROM profiles WHERE external_id = ANY($1::text[])
           ORDER BY external_id FOR UPDATE SKIP LOCKED`,
    values: [[...new Set(externalIds)]],
  });
  return new Map(rows.map((r) => [r.external_id, r.attributes]));
}

/** The longest run of rows, from the front, in which no user appears twice. */
function nextWave(rows: DueMembership[]): DueMembership[] {
  const users = new Set<string>();
  const wave: DueMembership[] = [];
  for (const row of rows) {
    if (users.has(row.externalId)) break;
    users.add(row.externalId);
    wave.push(row);
  }
  return wave;
}

/**
 * Moves every row of the wave on by compare-and-set on the due time it was claimed with
 * ('leave' deletes it); returns the keys of the rows that still held it.
 */
async function moveWave(client: pg.ClientBase, wave: { due: DueMembership; outcome: DueOutcome }[], at: string): Promise<Set<string>> {
  const moved = new Set<string>();
  const leaving = wave.filter((w) => w.outcome.next === 'leave');
  const staying = wave.filter((w) => w.outcome.next !== 'leave');
  const key = (programId: string, externalId: string) => `${programId}\u0000${externalId}`;
  if (leaving.length > 0) {
    const { rows } = await client.query<{ program_id: string; external_id: string }>({
      name: 'lh_leave_due',
      text: `DELETE FROM program_members m USING unnest($1::text[], $2::text[], $3::text[]) AS v(program_id, external_id, due_at)
             WHERE m.program_id = v.program_id AND m.external_id = v.external_id AND m.due_at = v.due_at
             RETURNING m.program_id, m.external_id`,
      values: [leaving.map((w) => w.due.programId), leaving.map((w) => w.due.externalId), leaving.map((w) => w.due.dueAt)],
    });
    for (const r of rows) moved.add(key(r.program_id, r.external_id));
  }
  if (staying.length > 0) {
    const { rows } = await client.query<{ program_id: string; external_id: string }>({
      name: 'lh_move_due',
      text: `UPDATE program_members m SET due_at = v.next_due_at, updated_at = $5
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(program_id, external_id, due_at, next_due_at)
             WHERE m.program_id = v.program_id AND m.external_id = v.external_id AND m.due_at = v.due_at
             RETURNING m.program_id, m.external_id`,
      values: [
        staying.map((w) => w.due.programId),
        staying.map((w) => w.due.externalId),
        staying.map((w) => w.due.dueAt),
        staying.map((w) => (w.outcome.next as { dueAt: string | null }).dueAt),
        at,
      ],
    });
    for (const r of rows) moved.add(key(r.program_id, r.external_id));
  }
  return moved;
}

/** Runs inside one transaction opened by the store. */
export async function applyDueInTransaction(
  client: pg.ClientBase,
  now: Date,
  limit: number,
  handler: DueHandler,
  planner: SendPlanner,
  at: Date,
): Promise<DueResult> {
  const result: DueResult = { applied: 0, activities: [], deliveries: [] };
  const claimed = await claimDueMemberships(client, now, limit);
  if (claimed.length === 0) return result;
  const profiles = await lockFreeProfiles(client, claimed.map((d) => d.externalId));
  let rest = claimed.filter((d) => profiles.has(d.externalId));
  while (rest.length > 0) {
    const wave = nextWave(rest).map((due) => ({ due, outcome: handler(due, profiles.get(due.externalId)!) }));
    rest = rest.slice(wave.length);
    const moved = await moveWave(client, wave, at.toISOString());
    const applied = wave.filter((w) => moved.has(`${w.due.programId}\u0000${w.due.externalId}`));
    result.applied += applied.length;
    const changing = applied.filter((w) => Object.keys(w.outcome.ops).length > 0 || w.outcome.exports.length > 0);
    if (changing.length === 0) continue;
    const batch: TrackBatch = {
      attributes: changing.map((w) => ({ externalId: w.due.externalId, ops: w.outcome.ops })),
      events: [],
      purchases: [],
    };
    const exportsOf = new Map<string, ExportDraft[]>(changing.map((w) => [w.due.externalId, w.outcome.exports]));
    const track = await applyTrackInTransaction(client, batch, planner, at, { exportsFor: (user) => exportsOf.get(user) ?? [] });
    // The next wave's handlers see these users' profiles as this wave left them.
    for (const activity of track.activities) profiles.set(activity.externalId, activity.after);
    result.activities.push(...track.activities);
    result.deliveries.push(...track.deliveries);
  }
  return result;
}

// applyDueMemberships on PostgreSQL: due rows are claimed with FOR UPDATE SKIP LOCKED (concurrent
// callers, other instances included, split them), then handled in waves by the shared rule
// (rules/due.ts); each wave's compare-and-set is one statement whatever its size.
import type pg from 'pg';
import type { Attributes } from '../../domain/index.js';
import type { ChangeRules, DueResult } from '../ports.js';
import { dueHandler, scoreChangesIn, trackRules } from '../rules/compile.js';
import { dueKey, type DueMove, driveDueAsync, planDue } from '../rules/due.js';
import type { TrackState } from '../rules/track.js';
import { claimDueMemberships } from './programs.js';
import { eligibilityOf, writePlan } from './track.js';

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

/**
 * Moves every row of the wave on by compare-and-set on the due time it was claimed with
 * ('leave' deletes it); returns the keys of the rows that still held it.
 */
async function moveWave(client: pg.ClientBase, wave: DueMove[], at: string): Promise<Set<string>> {
  const moved = new Set<string>();
  const leaving = wave.filter((w) => w.next === 'leave');
  const staying = wave.filter((w) => w.next !== 'leave');
    if (leaving.length > 0) {
    const { rows } = await client.query<{ program_id: string; external_id: string }>({
      name: 'lh_leave_due',
      text: `DELETE FROM program_members m USING unnest($1::text[], $2::text[], $3::text[]) AS v(program_id, external_id, due_at)
             WHERE m.program_id = v.program_id AND m.external_id = v.external_id AND m.due_at = v.due_at
             RETURNING m.program_id, m.external_id`,
      values: [leaving.map((w) => w.due.programId), leaving.map((w) => w.due.externalId), leaving.map((w) => w.due.dueAt)],
    });
    for (const r of rows) moved.add(dueKey({ programId: r.program_id, externalId: r.external_id }));
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
        staying.map((w) => (w.next as { dueAt: string | null }).dueAt),
        at,
      ],
    });
    for (const r of rows) moved.add(dueKey({ programId: r.program_id, externalId: r.external_id }));
  }
  return moved;
}

/** Runs inside one transaction opened by the store. */
export async function applyDueInTransaction(
  client: pg.ClientBase,
  now: Date,
  limit: number,
  rules: ChangeRules,
  at: Date,
): Promise<DueResult> {
  const claimed = await claimDueMemberships(client, now, limit);
  if (claimed.length === 0) return { applied: 0, activities: [], deliveries: [], scoreChanges: 0 };
  const profiles = await lockFreeProfiles(client, claimed.map((d) => d.externalId));
  const ready = claimed.filter((d) => profiles.has(d.externalId));
  const state: TrackState = { stored: profiles, lastEnqueued: await eligibilityOf(client, [...profiles.keys()]) };
  const when = rules.at ?? at;
  const run = planDue(ready, state, dueHandler(rules), trackRules(rules, when).planner, when);
  const { applied, plan } = await driveDueAsync(run, (moves) => moveWave(client, moves, at.toISOString()));
  return { applied, activities: plan.activities, deliveries: await writePlan(client, plan, at), scoreChanges: scoreChangesIn(plan.exports) };
}

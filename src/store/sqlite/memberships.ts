// Program memberships on SQLite live in the profile row, and a due queue finds them by time.
//
// A scored event reads and rewrites its user's profile anyway; a membership row of its own cost a
// second random lookup and two more random page writes (the row and its due-time index entry) in
// the one writer's WAL: about a third of the time of a scored event at a million profiles. So:
//   profiles.memberships  JSON {programId: [entered_at, due_at, queued_at]} (NULL for none)
//   program_due           one entry per scheduled membership, keyed (queued_at, program, user)
// A qualifying action pushes due_at later and leaves the queue alone: queued_at ≤ due_at always
// holds, so every membership due by `now` has an entry at or before `now`. When an entry comes up
// early, it is moved to the membership's due_at (once per window, not once per action).
import type { DueMembership, MembershipWrite, ProgramMembership } from '../../domain/index.js';
import { insertRows } from './exports.js';
import type { StatementCache } from './rows.js';

/** A membership as stored: `queuedAt` is the time of its program_due entry (null: none). */
export interface StoredMembership {
  enteredAt: string;
  dueAt: string | null;
  queuedAt: string | null;
}

type Column = Record<string, [string, string | null, string | null]>;

export function parseMemberships(column: string | null | undefined): Map<string, StoredMembership> {
  const map = new Map<string, StoredMembership>();
  if (!column) return map;
  for (const [programId, [enteredAt, dueAt, queuedAt]] of Object.entries(JSON.parse(column) as Column)) {
    map.set(programId, { enteredAt, dueAt, queuedAt });
  }
  return map;
}

export function serializeMemberships(map: ReadonlyMap<string, StoredMembership>): string | null {
  if (map.size === 0) return null;
  const column: Column = {};
  for (const [programId, m] of map) column[programId] = [m.enteredAt, m.dueAt, m.queuedAt];
  return JSON.stringify(column);
}

/** The contract's view of a user's memberships, ordered by program id. */
export function toProgramMemberships(externalId: string, map: ReadonlyMap<string, StoredMembership>): ProgramMembership[] {
  return [...map.keys()]
    .sort()
    .map((programId) => {
      const m = map.get(programId)!;
      return { programId, externalId, enteredAt: m.enteredAt, dueAt: m.dueAt };
    });
}

/** program_due changes gathered over a transaction and written at the end. */
export class DueQueueWrites {
  private readonly removed: [string, string, string][] = [];
  /** Keyed by entry, so an entry added and removed again in one transaction is never written. */
  private readonly added = new Map<string, [string, string, string]>();

  /** Moves the membership's entry so that it comes up by `dueAt` (none when null). */
  schedule(externalId: string, programId: string, m: StoredMembership, dueAt: string | null): void {
    if (m.queuedAt !== null && dueAt !== null && m.queuedAt <= dueAt) return; // still comes up in time
    this.unschedule(externalId, programId, m);
    if (dueAt !== null) this.added.set(`${dueAt}\0${programId}\0${externalId}`, [dueAt, programId, externalId]);
    m.queuedAt = dueAt;
  }

  unschedule(externalId: string, programId: string, m: StoredMembership): void {
    if (m.queuedAt === null) return;
    if (!this.added.delete(`${m.queuedAt}\0${programId}\0${externalId}`)) this.removed.push([m.queuedAt, programId, externalId]);
    m.queuedAt = null;
  }

  flush(stmts: StatementCache): void {
    const remove = stmts.get('DELETE FROM program_due WHERE due_at = ? AND program_id = ? AND external_id = ?');
    for (const key of this.removed) remove.run(key);
    insertRows(stmts, 'program_due', ['due_at', 'program_id', 'external_id'], [...this.added.values()]);
    this.removed.length = 0;
    this.added.clear();
  }
}

/**
 * Applies the enricher's writes to one user's stored memberships (in place). Returns whether
 * anything changed; an upsert that stores what is already there changes nothing.
 */
export function applyMembershipWrites(
  externalId: string,
  stored: Map<string, StoredMembership>,
  writes: readonly MembershipWrite[],
  queue: DueQueueWrites,
): boolean {
  let changed = false;
  for (const write of writes) {
    const current = stored.get(write.programId);
    if (write.action === 'delete') {
      if (!current) continue;
      queue.unschedule(externalId, write.programId, current);
      stored.delete(write.programId);
      changed = true;
      continue;
    }
    if (current && current.enteredAt === write.enteredAt && current.dueAt === write.dueAt) continue;
    const next: StoredMembership = current ?? { enteredAt: write.enteredAt, dueAt: null, queuedAt: null };
    queue.schedule(externalId, write.programId, next, write.dueAt);
    next.enteredAt = write.enteredAt;
    next.dueAt = write.dueAt;
    stored.set(write.programId, next);
    changed = true;
  }
  return changed;
}

function readColumn(stmts: StatementCache, externalId: string): Map<string, StoredMembership> {
  const row = stmts.get('SELECT memberships FROM profiles WHERE external_id = ?').get(externalId) as
    | { memberships: string | null }
    | undefined;
  return parseMemberships(row?.memberships);
}

function writeColumn(stmts: StatementCache, externalId: string, map: ReadonlyMap<string, StoredMembership>): void {
  stmts.get('UPDATE profiles SET memberships = ? WHERE external_id = ?').run(serializeMemberships(map), externalId);
}

export function membershipsOf(stmts: StatementCache, externalId: string): ProgramMembership[] {
  return toProgramMemberships(externalId, readColumn(stmts, externalId));
}

/**
 * Up to `limit` memberships due by `now`, in due order. Runs in a write transaction: entries that
 * came up early are first moved to their membership's due time, and the read starts over.
 */
export function dueMembershipsInTransaction(stmts: StatementCache, now: Date, limit: number): DueMembership[] {
  const read = stmts.get(
    `SELECT q.due_at AS queued_at, q.program_id, q.external_id, p.memberships FROM program_due q
     LEFT JOIN profiles p ON p.external_id = q.external_id
     WHERE q.due_at <= ? ORDER BY q.due_at, q.program_id, q.external_id LIMIT ?`,
  );
  for (;;) {
    const rows = read.all(now.toISOString(), Math.max(0, Math.floor(limit))) as DueRow[];
    const due: DueMembership[] = [];
    const queue = new DueQueueWrites();
    // A user may have several entries here: each is changed on one parsed copy, written once.
    const moved = new Map<string, Map<string, StoredMembership>>();
    for (const row of rows) {
      const map = moved.get(row.external_id) ?? parseMemberships(row.memberships);
      const m = map.get(row.program_id);
      if (m && m.queuedAt === row.queued_at && m.dueAt === m.queuedAt) {
        due.push({ programId: row.program_id, externalId: row.external_id, enteredAt: m.enteredAt, dueAt: m.dueAt });
      } else if (m && m.queuedAt === row.queued_at) {
        queue.unschedule(row.external_id, row.program_id, m);
        queue.schedule(row.external_id, row.program_id, m, m.dueAt);
        moved.set(row.external_id, map);
      } else {
        // No membership owns this entry (a hand-edited database): drop it.
        queue.unschedule(row.external_id, row.program_id, { enteredAt: '', dueAt: null, queuedAt: row.queued_at });
      }
    }
    if (due.length === rows.length) return due;
    for (const [externalId, map] of moved) writeColumn(stmts, externalId, map);
    queue.flush(stmts);
  }
}

interface DueRow {
  queued_at: string;
  program_id: string;
  external_id: string;
  memberships: string | null;
}

/** Moves a due membership on, only if it still has the due time it was read with. */
export function moveDueInTransaction(stmts: StatementCache, due: DueMembership, next: { dueAt: string | null } | 'leave'): boolean {
  const map = readColumn(stmts, due.externalId);
  const m = map.get(due.programId);
  if (!m || m.dueAt !== due.dueAt) return false;
  const queue = new DueQueueWrites();
  queue.unschedule(due.externalId, due.programId, m);
  if (next === 'leave') {
    map.delete(due.programId);
  } else {
    queue.schedule(due.externalId, due.programId, m, next.dueAt);
    m.dueAt = next.dueAt;
  }
  writeColumn(stmts, due.externalId, map);
  queue.flush(stmts);
  return true;
}

/** The earliest queue entry: at or before the next due membership (it may come up early). */
export function nextQueuedAt(stmts: StatementCache): string | undefined {
  const row = stmts.get('SELECT MIN(due_at) AS due FROM program_due').get() as { due: string | null };
  return row.due ?? undefined;
}

/** A deleted program ends every membership in it. */
export function deleteProgramMembershipsInTransaction(stmts: StatementCache, programId: string): void {
  stmts.get('DELETE FROM program_due WHERE program_id = ?').run(programId);
  stmts
    .get(
      `UPDATE profiles SET memberships = (
         SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_group_object(key, json(value)) END
         FROM json_each(profiles.memberships) WHERE key <> @programId)
       WHERE memberships IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(profiles.memberships) WHERE key = @programId)`,
    )
    .run({ programId });
}

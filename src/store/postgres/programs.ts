// Stored definitions, program memberships (with their due times) and cursors on PostgreSQL.
// Membership rows are user-scoped state: they are written while the user's profile is locked
// (see track.ts), so a due-time claim and a /users/track for the same user never interleave.
import type pg from 'pg';
import { CursorConflictError } from '../errors.js';
import type { Attributes, CursorMove, DefinitionKind, DueMembership, MembershipWrite, ProgramMembership, StoredDefinition } from '../../domain/index.js';

interface DefinitionRow {
  kind: DefinitionKind;
  id: string;
  definition: Attributes;
  created_at: string;
  updated_at: string;
}

interface MemberRow {
  program_id: string;
  external_id: string;
  entered_at: string;
  due_at: string | null;
}

type Queryable = pg.Pool | pg.ClientBase;

const toDefinition = (row: DefinitionRow): StoredDefinition => ({
  kind: row.kind,
  id: row.id,
  definition: row.definition,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toMembership = (row: MemberRow): ProgramMembership => ({
  programId: row.program_id,
  externalId: row.external_id,
  enteredAt: row.entered_at,
  dueAt: row.due_at,
});

export async function listDefinitions(db: Queryable, kind: DefinitionKind): Promise<StoredDefinition[]> {
  const { rows } = await db.query<DefinitionRow>('SELECT * FROM stored_definitions WHERE kind = $1 ORDER BY id', [kind]);
  return rows.map(toDefinition);
}

export async function getDefinition(db: Queryable, kind: DefinitionKind, id: string): Promise<StoredDefinition | undefined> {
  const { rows } = await db.query<DefinitionRow>('SELECT * FROM stored_definitions WHERE kind = $1 AND id = $2', [kind, id]);
  return rows[0] ? toDefinition(rows[0]) : undefined;
}

export async function putDefinition(
  db: Queryable,
  kind: DefinitionKind,
  id: string,
  definition: Attributes,
  at: string,
): Promise<StoredDefinition> {
  const { rows } = await db.query<DefinitionRow>(
    `INSERT INTO stored_definitions (kind, id, definition, created_at, updated_at) VALUES ($1, $2, $3::json, $4, $4)
     ON CONFLICT (kind, id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
     RETURNING *`,
    [kind, id, JSON.stringify(definition), at],
  );
  return toDefinition(rows[0]!);
}

export async function deleteDefinition(client: pg.ClientBase, kind: DefinitionKind, id: string): Promise<boolean> {
  const removed = ((await client.query('DELETE FROM stored_definitions WHERE kind = $1 AND id = $2', [kind, id])).rowCount ?? 0) > 0;
  if (removed && kind === 'scoring_program') await client.query('DELETE FROM program_members WHERE program_id = $1', [id]);
  return removed;
}

/** Memberships of these users, by user, each list ordered by program id. */
export async function membershipsOf(db: Queryable, externalIds: string[]): Promise<Map<string, ProgramMembership[]>> {
  const byUser = new Map<string, ProgramMembership[]>();
  if (externalIds.length === 0) return byUser;
  const { rows } = await db.query<MemberRow>({
    name: 'lh_memberships_of',
    text: `SELECT program_id, external_id, entered_at, due_at FROM program_members
           WHERE external_id = ANY($1::text[]) ORDER BY external_id, program_id`,
    values: [externalIds],
  });
  for (const row of rows) {
    const list = byUser.get(row.external_id) ?? [];
    list.push(toMembership(row));
    byUser.set(row.external_id, list);
  }
  return byUser;
}

/**
 * Applies membership writes of many users. Each write defines the whole row (upsert) or removes
 * it, so for one (program, user) only the last write matters; rows go in a stable order so
 * concurrent writers wait for each other instead of deadlocking.
 */
export async function writeMemberships(
  client: pg.ClientBase,
  writes: { externalId: string; write: MembershipWrite }[],
  at: string,
): Promise<void> {
  if (writes.length === 0) return;
  const last = new Map<string, { externalId: string; write: MembershipWrite }>();
  for (const entry of writes) last.set(`${entry.write.programId}\u0000${entry.externalId}`, entry);
  const ordered = [...last.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  const deletes = ordered.filter((e) => e.write.action === 'delete');
  const upserts = ordered.flatMap((e) => (e.write.action === 'upsert' ? [{ externalId: e.externalId, write: e.write }] : []));
  if (deletes.length > 0) {
    await client.query({
      name: 'lh_delete_memberships',
      text: `DELETE FROM program_members m USING unnest($1::text[], $2::text[]) AS d(program_id, external_id)
             WHERE m.program_id = d.program_id AND m.external_id = d.external_id`,
      values: [deletes.map((e) => e.write.programId), deletes.map((e) => e.externalId)],
    });
  }
  if (upserts.length > 0) {
    await client.query({
      name: 'lh_upsert_memberships',
      text: `INSERT INTO program_members (program_id, external_id, entered_at, due_at, updated_at)
             SELECT program_id, external_id, entered_at, due_at, $5
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m(program_id, external_id, entered_at, due_at, n)
             ORDER BY n
             ON CONFLICT (program_id, external_id) DO UPDATE SET
               entered_at = excluded.entered_at, due_at = excluded.due_at, updated_at = excluded.updated_at`,
      values: [
        upserts.map((e) => e.write.programId),
        upserts.map((e) => e.externalId),
        upserts.map((e) => e.write.enteredAt),
        upserts.map((e) => e.write.dueAt),
        at,
      ],
    });
  }
}

/**
 * Claims due rows for this transaction. Rows another transaction holds are skipped, never
 * waited for; a row it already moved on no longer matches when re-checked after the lock.
 */
export async function claimDueMemberships(client: pg.ClientBase, now: Date, limit: number): Promise<DueMembership[]> {
  const take = Math.max(0, Math.floor(limit));
  if (take === 0) return [];
  const { rows } = await client.query<MemberRow>({
    name: 'lh_claim_due_memberships',
    text: `SELECT program_id, external_id, entered_at, due_at FROM program_members
           WHERE due_at IS NOT NULL AND due_at <= $1
           ORDER BY due_at, program_id, external_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    values: [now.toISOString(), take],
  });
  return rows.map((row) => toMembership(row) as DueMembership);
}

export async function nextMembershipDueAt(db: Queryable): Promise<Date | undefined> {
  const { rows } = await db.query<{ due: string | null }>('SELECT MIN(due_at) AS due FROM program_members WHERE due_at IS NOT NULL');
  return rows[0]?.due ? new Date(rows[0].due) : undefined;
}

export async function readCursor(db: Queryable, name: string): Promise<string | undefined> {
  const { rows } = await db.query<{ value: string }>('SELECT value FROM cursors WHERE name = $1', [name]);
  return rows[0]?.value;
}

/**
 * Compare-and-set in one statement: the UPDATE re-checks `value` after waiting for a concurrent
 * mover, and the INSERT of a first value waits for a concurrent first insert, so exactly one of
 * two movers from the same expected value wins.
 */
export async function moveCursor(client: pg.ClientBase, move: CursorMove, at: string): Promise<void> {
  const result =
    move.expected === null
      ? await client.query(
          `INSERT INTO cursors (name, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
          [move.name, move.value, at],
        )
      : await client.query('UPDATE cursors SET value = $2, updated_at = $3 WHERE name = $1 AND value = $4', [
          move.name,
          move.value,
          at,
          move.expected,
        ]);
  if ((result.rowCount ?? 0) > 0) return;
  throw new CursorConflictError(move.name, move.expected, (await readCursor(client, move.name)) ?? null);
}

// Stored definitions, program memberships (with their due times) and cursors for SQLite.
// Functions named *InTransaction run inside a transaction opened by the store.
import { CursorConflictError } from '../errors.js';
import type {
  Attributes,
  CursorMove,
  DefinitionKind,
  DueMembership,
  ProgramMembership,
  StoredDefinition,
} from '../types.js';
import type { StatementCache } from './rows.js';

interface DefinitionRow {
  kind: DefinitionKind;
  id: string;
  definition: string;
  created_at: string;
  updated_at: string;
}

export interface MemberRow {
  program_id: string;
  external_id: string;
  entered_at: string;
  due_at: string | null;
}

const toDefinition = (row: DefinitionRow): StoredDefinition => ({
  kind: row.kind,
  id: row.id,
  definition: JSON.parse(row.definition) as Attributes,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export const toMembership = (row: MemberRow): ProgramMembership => ({
  programId: row.program_id,
  externalId: row.external_id,
  enteredAt: row.entered_at,
  dueAt: row.due_at,
});

export function listDefinitionRows(stmts: StatementCache, kind: DefinitionKind): StoredDefinition[] {
  return (stmts.get('SELECT * FROM stored_definitions WHERE kind = ? ORDER BY id').all(kind) as DefinitionRow[]).map(
    toDefinition,
  );
}

export function getDefinitionRow(stmts: StatementCache, kind: DefinitionKind, id: string): StoredDefinition | undefined {
  const row = stmts.get('SELECT * FROM stored_definitions WHERE kind = ? AND id = ?').get(kind, id) as
    | DefinitionRow
    | undefined;
  return row ? toDefinition(row) : undefined;
}

export function putDefinitionInTransaction(
  stmts: StatementCache,
  kind: DefinitionKind,
  id: string,
  definition: Attributes,
  at: string,
): StoredDefinition {
  const row = stmts
    .get(
      `INSERT INTO stored_definitions (kind, id, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
       RETURNING *`,
    )
    .get(kind, id, JSON.stringify(definition), at, at) as DefinitionRow;
  return toDefinition(row);
}

export function deleteDefinitionInTransaction(stmts: StatementCache, kind: DefinitionKind, id: string): boolean {
  const removed = stmts.get('DELETE FROM stored_definitions WHERE kind = ? AND id = ?').run(kind, id).changes > 0;
  if (removed && kind === 'scoring_program') stmts.get('DELETE FROM program_members WHERE program_id = ?').run(id);
  return removed;
}

export function membershipsOf(stmts: StatementCache, externalId: string): ProgramMembership[] {
  return (
    stmts
      .get('SELECT program_id, external_id, entered_at, due_at FROM program_members WHERE external_id = ? ORDER BY program_id')
      .all(externalId) as MemberRow[]
  ).map(toMembership);
}

export function dueMemberships(stmts: StatementCache, now: Date, limit: number): DueMembership[] {
  return (
    stmts
      .get(
        `SELECT program_id, external_id, entered_at, due_at FROM program_members
         WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, program_id, external_id LIMIT ?`,
      )
      .all(now.toISOString(), Math.max(0, Math.floor(limit))) as MemberRow[]
  ).map((row) => toMembership(row) as DueMembership);
}

/** Moves a claimed row on only if it still holds the due time it was claimed with. */
export function moveDueInTransaction(
  stmts: StatementCache,
  due: DueMembership,
  next: { dueAt: string | null } | 'leave',
  at: string,
): boolean {
  if (next === 'leave') {
    return (
      stmts
        .get('DELETE FROM program_members WHERE program_id = ? AND external_id = ? AND due_at = ?')
        .run(due.programId, due.externalId, due.dueAt).changes > 0
    );
  }
  return (
    stmts
      .get('UPDATE program_members SET due_at = ?, updated_at = ? WHERE program_id = ? AND external_id = ? AND due_at = ?')
      .run(next.dueAt, at, due.programId, due.externalId, due.dueAt).changes > 0
  );
}

export function readCursor(stmts: StatementCache, name: string): string | undefined {
  const row = stmts.get('SELECT value FROM cursors WHERE name = ?').get(name) as { value: string } | undefined;
  return row?.value;
}

export function moveCursorInTransaction(stmts: StatementCache, move: CursorMove, at: string): void {
  const actual = readCursor(stmts, move.name) ?? null;
  if (actual !== move.expected) throw new CursorConflictError(move.name, move.expected, actual);
  stmts
    .get(
      `INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    )
    .run(move.name, move.value, at);
}

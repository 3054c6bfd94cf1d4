// Stored definitions and cursors for SQLite (memberships: see memberships.ts).
// Functions named *InTransaction run inside a transaction opened by the store.
import { CursorConflictError } from '../errors.js';
import type { Attributes, CursorMove, DefinitionKind, StoredDefinition } from '../../domain/index.js';
import { deleteProgramMembershipsInTransaction } from './memberships.js';
import type { StatementCache } from './rows.js';

interface DefinitionRow {
  kind: DefinitionKind;
  id: string;
  definition: string;
  created_at: string;
  updated_at: string;
}

const toDefinition = (row: DefinitionRow): StoredDefinition => ({
  kind: row.kind,
  id: row.id,
  definition: JSON.parse(row.definition) as Attributes,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
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
  if (removed && kind === 'scoring_program') deleteProgramMembershipsInTransaction(stmts, id);
  return removed;
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

// Errors of the storage contract that callers act on, shared by both backends.

/** A compare-and-set on a cursor found another value: someone else moved it first. */
export class CursorConflictError extends Error {
  constructor(
    readonly cursor: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(`cursor ${JSON.stringify(cursor)} holds ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    this.name = 'CursorConflictError';
  }
}

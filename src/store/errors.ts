// Errors of the storage contract that callers act on, shared by both backends.
import { CodedError } from '../errors/index.js';

/** A compare-and-set on a cursor found another value: someone else moved it first. */
export class CursorConflictError extends CodedError {
  constructor(
    readonly cursor: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super('LH_CURSOR_CONFLICT', `cursor ${JSON.stringify(cursor)} holds ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    this.name = 'CursorConflictError';
  }
}

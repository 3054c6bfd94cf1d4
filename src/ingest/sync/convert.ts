// Turning a source row into profile attribute operations; a value that does not fit its
// column's type rejects the row (with the reason), never the run.
import { setOwn } from '../../profiles/index.js';
import type { AttributeOp, Json } from '../../domain/index.js';
import { CodedError } from '../../errors/index.js';
import type { ColumnType, SyncConfig } from './schema.js';

/** A value that does not fit its column: the row is rejected (and reported), never the run. */
export class RowRejected extends CodedError {
  constructor(message: string) {
    super('LH_SYNC_ROW_REJECTED', message);
    this.name = 'RowRejected';
  }
}

function toJson(value: unknown, column: string): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RowRejected(`${column}: ${value} is not a finite number`);
    return value;
  }
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RowRejected(`${column}: invalid date`);
    return value.toISOString();
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) throw new RowRejected(`${column}: binary values are not supported`);
  if (typeof value === 'object') return JSON.parse(JSON.stringify(value)) as Json;
  throw new RowRejected(`${column}: unsupported value of type ${typeof value}`);
}

export function convertValue(raw: unknown, type: ColumnType, column: string): Json {
  const value = toJson(raw, column);
  if (value === null || type === 'auto') return value;
  switch (type) {
    case 'string':
      if (typeof value === 'object') throw new RowRejected(`${column}: expected text, got a structured value`);
      return String(value);
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw new RowRejected(`${column}: ${JSON.stringify(value)} is not a number`);
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 'true' || value === '1' || value === 't') return true;
      if (value === 0 || value === 'false' || value === '0' || value === 'f') return false;
      throw new RowRejected(`${column}: ${JSON.stringify(value)} is not a boolean`);
    case 'time': {
      const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
      if (!Number.isFinite(ms)) throw new RowRejected(`${column}: ${JSON.stringify(value)} is not a time`);
      return new Date(ms).toISOString();
    }
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as Json;
      } catch {
        throw new RowRejected(`${column}: not valid JSON`);
      }
    default: {
      const unknown: never = type;
      throw new Error(`unknown column type ${String(unknown)}`);
    }
  }
}

export function externalIdOf(raw: unknown): string {
  if (typeof raw === 'number' && Number.isInteger(raw)) return String(raw);
  if (typeof raw === 'bigint') return raw.toString();
  if (typeof raw === 'string' && raw.trim() !== '' && raw.length <= 512) return raw;
  throw new RowRejected(`external id ${JSON.stringify(raw ?? null)} is not a non-empty text or integer`);
}

/** The attribute operations of one row: set each mapped value (null unsets). */
export function rowOps(config: SyncConfig, values: Record<string, unknown>): Record<string, AttributeOp> {
  const ops: Record<string, AttributeOp> = {};
  for (const mapping of config.columns) {
    const value = convertValue(values[mapping.column], mapping.type, mapping.column);
    // An attribute named "__proto__" stays data.
    setOwn(ops, mapping.attribute, value === null ? { op: 'unset' } : { op: 'set', value });
  }
  return ops;
}

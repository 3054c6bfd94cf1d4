// Attribute values as a request writes them (`{ name: value }`, with operation objects) turned
// into attribute operations.
import { type AttributeOp, isOperationObject, type Json, type TrackBatch } from '../domain/index.js';
import { setOwn } from './json.js';

/** One attribute value of the request as operations (two when `add` and `remove` are combined). */
export function attributeValueToOps(value: Json): AttributeOp[] {
  if (value === null) return [{ op: 'unset' }];
  if (isOperationObject(value)) {
    const op = value as { inc?: number; add?: Json[]; remove?: Json[] };
    if (op.inc !== undefined) return [{ op: 'inc', by: op.inc }];
    const ops: AttributeOp[] = [];
    if (op.add !== undefined) ops.push({ op: 'add', values: op.add });
    if (op.remove !== undefined) ops.push({ op: 'remove', values: op.remove });
    return ops;
  }
  return [{ op: 'set', value }];
}

/** Attribute map (`{ name: value }` as in the request) to operation entries for one user. */
export function attributesToOps(externalId: string, attributes: Record<string, Json>): TrackBatch['attributes'] {
  // Most entries need one op per attribute; `{add, remove}` needs a second pass so both apply.
  const first: Record<string, AttributeOp> = {};
  const second: Record<string, AttributeOp> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const [op, then] = attributeValueToOps(value);
    if (op) setOwn(first, name, op);
    if (then) setOwn(second, name, then);
  }
  const entries = [{ externalId, ops: first }];
  if (Object.keys(second).length > 0) entries.push({ externalId, ops: second });
  return entries;
}

// Applying /users/track attribute operations to a profile's attributes, with Braze semantics:
// - set replaces the value (arrays are sets: duplicates collapse); setting an equal value is no change
// - unset (null in the request) removes the attribute
// - inc adds to a number; a missing attribute counts as 0; any other type is an error
// - add appends to an array; a value already present moves to the end; a missing attribute
//   becomes a new array
// - remove drops every occurrence; on a missing attribute it does nothing
import type { AttributeChange, AttributeOp, Attributes, Json } from '../domain/index.js';
import { CodedError } from '../errors/index.js';
import { cloneJson, jsonEquals, setOwn, uniqueValues } from './json.js';

/** The stored value does not allow the operation (e.g. inc on a string): LH_ATTRIBUTE_OP. */
export class AttributeOpError extends CodedError {
  constructor(
    readonly attribute: string,
    readonly reason: string,
    /** The user whose profile rejected the operation, once known. */
    readonly externalId?: string,
  ) {
    super('LH_ATTRIBUTE_OP', `${externalId === undefined ? '' : `user ${JSON.stringify(externalId)}: `}attribute "${attribute}": ${reason}`);
    this.name = 'AttributeOpError';
  }

  forUser(externalId: string): AttributeOpError {
    return new AttributeOpError(this.attribute, this.reason, externalId);
  }
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The new value of one attribute after `op` (undefined = attribute absent). */
export function applyOp(name: string, current: Json | undefined, op: AttributeOp): Json | undefined {
  switch (op.op) {
    case 'set':
      if (op.value === null) return undefined;
      return Array.isArray(op.value) ? uniqueValues(cloneJson(op.value)) : cloneJson(op.value);
    case 'unset':
      return undefined;
    case 'inc': {
      if (!Number.isFinite(op.by)) throw new AttributeOpError(name, 'inc needs a finite number');
      if (current === undefined || current === null) return op.by;
      if (typeof current !== 'number') {
        throw new AttributeOpError(name, `cannot inc ${describe(current)}, only a number`);
      }
      return current + op.by;
    }
    case 'add': {
      if (current !== undefined && current !== null && !Array.isArray(current)) {
        throw new AttributeOpError(name, `cannot add to ${describe(current)}, only to an array`);
      }
      let result: Json[] = Array.isArray(current) ? [...current] : [];
      for (const value of op.values) {
        result = result.filter((existing) => !jsonEquals(existing, value));
        result.push(cloneJson(value));
      }
      return result;
    }
    case 'remove': {
      if (current === undefined || current === null) return current === null ? undefined : current;
      if (!Array.isArray(current)) {
        throw new AttributeOpError(name, `cannot remove from ${describe(current)}, only from an array`);
      }
      return current.filter((existing) => !op.values.some((value) => jsonEquals(existing, value)));
    }
    default: {
      const unknown: never = op;
      throw new AttributeOpError(name, `unknown operation ${JSON.stringify(unknown)}`);
    }
  }
}

/** Applies every op of one request entry; returns new attributes (input untouched) and the changes. */
export function applyAttributeOps(
  attributes: Attributes,
  ops: Record<string, AttributeOp>,
): { attributes: Attributes; changes: AttributeChange[] } {
  const next: Attributes = { ...attributes };
  for (const [name, op] of Object.entries(ops)) {
    const value = applyOp(name, Object.prototype.hasOwnProperty.call(next, name) ? next[name] : undefined, op);
    if (value === undefined) delete next[name];
    // A name such as "__proto__" must become data, never the object's prototype.
    else setOwn(next, name, value);
  }
  return { attributes: next, changes: diffAttributes(attributes, next, Object.keys(ops)) };
}

/** Changes between two versions of a profile, limited to `names` (all keys of both when omitted). */
export function diffAttributes(before: Attributes, after: Attributes, names?: Iterable<string>): AttributeChange[] {
  const keys = names ? new Set(names) : new Set([...Object.keys(before), ...Object.keys(after)]);
  const changes: AttributeChange[] = [];
  for (const attribute of keys) {
    const was = Object.prototype.hasOwnProperty.call(before, attribute) ? before[attribute] : undefined;
    const now = Object.prototype.hasOwnProperty.call(after, attribute) ? after[attribute] : undefined;
    if (!jsonEquals(was, now)) changes.push({ attribute, before: cloneJson(was), after: cloneJson(now) });
  }
  return changes;
}

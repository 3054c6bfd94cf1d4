// Structural helpers for JSON attribute values.
import type { Json } from '../domain/index.js';

/** Deep structural equality of JSON values (key order of objects does not matter). */
export function jsonEquals(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEquals(item, b[i]));
  }
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEquals(a[key], b[key]));
}

/** Deep copy, so stored profiles never share structure with caller-owned objects. */
export function cloneJson<T extends Json | undefined>(value: T): T {
  // Numbers, strings, booleans and null are immutable: only objects and arrays need a copy (a
  // structuredClone of a score costs more than the rest of its diff).
  return value === null || typeof value !== 'object' ? value : (structuredClone(value) as T);
}

/**
 * Braze custom attribute arrays are sets: a value occurs once. Duplicates keep their first position.
 */
export function uniqueValues(values: readonly Json[]): Json[] {
  const out: Json[] = [];
  for (const value of values) {
    if (!out.some((existing) => jsonEquals(existing, value))) out.push(value);
  }
  return out;
}

/** Sets an own enumerable property; unlike `obj[key] = v`, "__proto__" stays a plain key. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// Ruby-style scalar coercions shared by the Ruby-compatible tags and filters.

/** Ruby's String#to_i / Integer(): leading integer of a string, 0 when none; raises for booleans. */
export function rubyToInteger(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') throw new Error('invalid integer');
  const match = /^\s*([+-]?\d+)/.exec(String(value));
  return match ? Number.parseInt(match[1]!, 10) : 0;
}

/** Iterable view of a collection as Ruby Liquid iterates it. */
export function toCollection(value: unknown): unknown[] {
  if (value === undefined || value === null || value === false) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (typeof value === 'object') {
    if (Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
    return Object.entries(value as Record<string, unknown>);
  }
  return [value];
}

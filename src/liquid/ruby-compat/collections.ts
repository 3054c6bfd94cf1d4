// Ruby Liquid's array filters. Their input goes through InputIterator (arrays flattened, a hash
// is a one-element list, nil is empty), elements compare with Ruby's <=> and ==, and a string
// element answers `item[property]` with the substring (so `where: 'be'` keeps "beta").
import { Drop, toValue, type Context, type FilterImplOptions } from 'liquidjs';
import { rubyEquals, rubyCompare } from './operators.js';
import { rubySum } from './numbers.js';
import { inspect, RubyFloat, RubyRange, toS } from './to-s.js';

interface FilterThis {
  context: Context;
}

const isHash = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Drop);

function flatten(items: unknown[], out: unknown[] = [], depth = 0): unknown[] {
  for (const item of items) {
    const value = item instanceof RubyRange ? item.valueOf() : item;
    if (Array.isArray(value) && depth < 100) flatten(value, out, depth + 1);
    else out.push(item);
  }
  return out;
}

/** Liquid's InputIterator. */
export function inputList(raw: unknown): unknown[] {
  const value = raw instanceof RubyRange ? raw.valueOf() : raw instanceof RubyFloat ? raw : toValue(raw);
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return flatten(value);
  return [value];
}

/** Ruby's `item[property]` for the element types JSON data holds. */
function* lookup(ctx: Context, item: unknown, property: unknown): Generator<unknown, unknown, unknown> {
  const v = toValue(item);
  if (typeof v === 'string') {
    const key = toS(property);
    return v.includes(key) ? key : undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) return typeof property === 'number' ? v.at(property) : undefined;
  return yield ctx._getFromScope(v, [property as string], false);
}

function propertyKey(property: unknown): unknown {
  const p = toValue(property);
  return typeof p === 'number' ? p : toS(p);
}

const truthy = (v: unknown): boolean => {
  const x = toValue(v);
  return x !== undefined && x !== null && x !== false;
};

function* whereOrReject(this: FilterThis, keep: boolean, input: unknown, property: unknown, target?: unknown): Generator<unknown, unknown[], unknown> {
  const items = inputList(input);
  this.context.memoryLimit.use(items.length);
  const key = propertyKey(property);
  const result: unknown[] = [];
  for (const item of items) {
    const value = yield* lookup(this.context, item, key);
    const hit = target === undefined || target === null ? truthy(value) : rubyEquals(value, target);
    if (hit === keep) result.push(item);
  }
  return result;
}

function* sortBy(this: FilterThis, input: unknown, property: unknown, compare: (a: unknown, b: unknown) => number): Generator<unknown, unknown[], unknown> {
  const items = inputList(input);
  this.context.memoryLimit.use(items.length);
  if (property === undefined || property === null) return [...items].sort(compare);
  const key = propertyKey(property);
  const keyed: [unknown, unknown][] = [];
  for (const item of items) keyed.push([item, yield* lookup(this.context, item, key)]);
  return keyed.sort((a, b) => compare(a[1], b[1])).map(([item]) => item);
}

/** Liquid's nil_safe_compare: nil sorts last, incomparable values are an error. */
function nilSafeCompare(a: unknown, b: unknown): number {
  const result = rubyCompare(a, b);
  if (result !== undefined) return result;
  if (toValue(a) === undefined || toValue(a) === null) return 1;
  if (toValue(b) === undefined || toValue(b) === null) return -1;
  throw new Error('cannot sort values of incompatible types');
}

/** Liquid's nil_safe_casecmp: to_s compared case-insensitively, nil last. */
function nilSafeCasecmp(a: unknown, b: unknown): number {
  const x = toValue(a);
  const y = toValue(b);
  if (x === undefined || x === null) return y === undefined || y === null ? 0 : 1;
  if (y === undefined || y === null) return -1;
  const l = toS(a).toLowerCase();
  const r = toS(b).toLowerCase();
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Ruby's `size`: strings, arrays and hashes count, an Integer is 8 bytes, the rest 0. */
function rubySize(input: unknown): number {
  if (input instanceof RubyRange) return input.valueOf().length;
  if (input instanceof RubyFloat) return 0;
  const v = toValue(input);
  if (typeof v === 'string') return Array.from(v).length;
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'number') return Number.isInteger(v) ? 8 : 0;
  if (isHash(v)) return typeof v.size === 'number' ? v.size : Object.keys(v).length;
  return 0;
}

function rubyFirst(input: unknown): unknown {
  if (input instanceof RubyRange) return input.low;
  const v = toValue(input);
  if (typeof v === 'string') return Array.from(v)[0] ?? '';
  if (Array.isArray(v)) return v[0];
  if (isHash(v)) {
    const first = Object.entries(v)[0];
    return first ? [first[0], first[1]] : undefined;
  }
  return undefined;
}

function rubyLast(input: unknown): unknown {
  if (input instanceof RubyRange) return input.high;
  const v = toValue(input);
  if (typeof v === 'string') return Array.from(v).at(-1) ?? '';
  if (Array.isArray(v)) return v.at(-1);
  return undefined;
}

function isEmpty(v: unknown): boolean {
  if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
  return isHash(v) && Object.keys(v).length === 0;
}

export const rubyCollectionFilters: Record<string, FilterImplOptions> = {
  size: rubySize,
  first: rubyFirst,
  last: rubyLast,
  join: function (this: FilterThis, input: unknown, glue?: unknown) {
    const items = inputList(input);
    const separator = glue === undefined || glue === null ? ' ' : toS(glue);
    const text = items.map((item) => toS(item)).join(separator);
    this.context.memoryLimit.use(text.length);
    return text;
  },
  reverse: function (this: FilterThis, input: unknown) {
    const items = inputList(input);
    this.context.memoryLimit.use(items.length);
    return [...items].reverse();
  },
  compact: function* (this: FilterThis, input: unknown, property?: unknown) {
    const items = inputList(input);
    this.context.memoryLimit.use(items.length);
    if (property === undefined || property === null) return items.filter(truthyOrFalse);
    const key = propertyKey(property);
    const kept: unknown[] = [];
    for (const item of items) if (truthyOrFalse(yield* lookup(this.context, item, key))) kept.push(item);
    return kept;
  },
  uniq: function* (this: FilterThis, input: unknown, property?: unknown) {
    const items = inputList(input);
    this.context.memoryLimit.use(items.length);
    const seen = new Set<string>();
    const kept: unknown[] = [];
    const key = property === undefined || property === null ? undefined : propertyKey(property);
    for (const item of items) {
      const identity = inspect(key === undefined ? item : yield* lookup(this.context, item, key));
      if (!seen.has(identity)) {
        seen.add(identity);
        kept.push(item);
      }
    }
    return kept;
  },
  map: function* (this: FilterThis, input: unknown, property: unknown) {
    const items = inputList(input);
    this.context.memoryLimit.use(items.length);
    const key = propertyKey(property);
    const mapped: unknown[] = [];
    for (const item of items) mapped.push(key === 'to_liquid' ? item : yield* lookup(this.context, item, key));
    return mapped;
  },
  sum: function* (this: FilterThis, input: unknown, property?: unknown) {
    const items = inputList(input);
    const values: unknown[] = [];
    const key = property === undefined || property === null ? undefined : propertyKey(property);
    for (const item of items) values.push(key === undefined ? item : isHash(toValue(item)) ? yield* lookup(this.context, item, key) : 0);
    return rubySum(inputList(values).map((v) => (isHash(toValue(v)) || typeof toValue(v) === 'boolean' ? 0 : v)));
  },
  where: function* (this: FilterThis, input: unknown, property: unknown, target?: unknown) {
    return yield* whereOrReject.call(this, true, input, property, target);
  },
  reject: function* (this: FilterThis, input: unknown, property: unknown, target?: unknown) {
    return yield* whereOrReject.call(this, false, input, property, target);
  },
  sort: function* (this: FilterThis, input: unknown, property?: unknown) {
    return yield* sortBy.call(this, input, property, nilSafeCompare);
  },
  sort_natural: function* (this: FilterThis, input: unknown, property?: unknown) {
    return yield* sortBy.call(this, input, property, nilSafeCasecmp);
  },
  default: (input: unknown, fallback: unknown = '', ...options: unknown[]) => {
    const allowFalse = options.some((o) => Array.isArray(o) && o[0] === 'allow_false' && truthy(o[1]));
    const v = input instanceof RubyFloat || input instanceof RubyRange ? input : toValue(input);
    const missing = allowFalse ? v === undefined || v === null : !truthy(v);
    return missing || isEmpty(v) ? fallback : input;
  },
};

function truthyOrFalse(v: unknown): boolean {
  const x = toValue(v);
  return x !== undefined && x !== null;
}

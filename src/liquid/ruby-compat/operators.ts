// Ruby Liquid's condition operators: == is Ruby's == (1 == 1.0, arrays and hashes by content),
// ordering compares numbers with numbers and strings with strings and is false for anything
// else, and `contains` is String#include? / Array#include? / Hash#key?, false when either side
// is nil.
import { Drop, toValue, toValueSync, type Liquid, type Operators } from 'liquidjs';
import { RubyFloat, RubyRange } from './to-s.js';

interface Comparable {
  equals(other: unknown): unknown;
}
const isComparableDrop = (v: unknown): v is Comparable =>
  v instanceof Drop && !(v instanceof RubyFloat) && typeof (v as Partial<Comparable>).equals === 'function';

function plain(v: unknown): unknown {
  if (v instanceof RubyRange) return v;
  return toValue(v);
}

const isHash = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Drop);

/** Ruby's ==. */
export function rubyEquals(a: unknown, b: unknown): boolean {
  // liquidjs's nil / empty / blank drops answer equality themselves (as generators of plain values).
  if (isComparableDrop(a)) return !!toValueSync(a.equals(b));
  if (isComparableDrop(b)) return !!toValueSync(b.equals(a));
  const x = plain(a);
  const y = plain(b);
  if (x === y) return true;
  if ((x === undefined || x === null) && (y === undefined || y === null)) return true;
  if (x instanceof RubyRange || y instanceof RubyRange) {
    return x instanceof RubyRange && y instanceof RubyRange && x.low === y.low && x.high === y.high;
  }
  if (Array.isArray(x)) return Array.isArray(y) && x.length === y.length && x.every((item, i) => rubyEquals(item, y[i]));
  if (isHash(x) && isHash(y)) {
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => k in y && rubyEquals(x[k], y[k]));
  }
  return false;
}

/** Ruby's <=>: a number, or undefined when the two are not comparable. */
export function rubyCompare(a: unknown, b: unknown): number | undefined {
  const x = plain(a);
  const y = plain(b);
  if ((typeof x === 'number' && typeof y === 'number') || (typeof x === 'string' && typeof y === 'string')) {
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : undefined;
  }
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = rubyCompare(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length === 0 ? 0 : x.length < y.length ? -1 : 1;
  }
  return rubyEquals(x, y) ? 0 : undefined;
}

/**
 * Numeric and String respond to < > <= >=. Ruby raises for a number against a string ("comparison
 * of Integer with String failed"); here that comparison is false instead, because a Braze
 * attribute that arrives as text (`"150"`) must not fail a whole send where liquidjs and the
 * shipped templates compare it with a number.
 */
function ordering(test: (c: number) => boolean) {
  return (l: unknown, r: unknown): boolean => {
    const x = plain(l);
    const y = plain(r);
    const ordered = (v: unknown) => typeof v === 'number' || typeof v === 'string';
    if (!ordered(x) || !ordered(y) || typeof x !== typeof y) return false;
    return test(rubyCompare(x, y)!);
  };
}

function contains(l: unknown, r: unknown): boolean {
  const left = plain(l);
  const right = plain(r);
  if (left === undefined || left === null || left === false || right === undefined || right === null || right === false) return false;
  if (typeof left === 'string') return left.includes(typeof right === 'string' ? right : String(right));
  if (left instanceof RubyRange) return typeof right === 'number' && right >= left.low && right <= left.high;
  if (Array.isArray(left)) return left.some((item) => rubyEquals(item, r));
  if (isHash(left)) return typeof right === 'string' && Object.prototype.hasOwnProperty.call(left, right);
  return false;
}

/** Installs the Ruby operators on this engine only (the operator table is copied, not shared). */
export function registerRubyOperators(liquid: Liquid): void {
  const operators: Operators = { ...liquid.options.operators };
  operators['=='] = (l: unknown, r: unknown) => rubyEquals(l, r);
  operators['!='] = (l: unknown, r: unknown) => !rubyEquals(l, r);
  operators['<'] = ordering((c) => c < 0);
  operators['>'] = ordering((c) => c > 0);
  operators['<='] = ordering((c) => c <= 0);
  operators['>='] = ordering((c) => c >= 0);
  operators.contains = contains;
  liquid.options.operators = operators;
}

// How Shopify's Ruby Liquid turns values into text (Liquid::Utils.to_s and inspect): hashes and
// arrays are inspected (`{"a"=>1}`, `["a", "b"]`), floats keep a decimal point (`2.0`) and
// switch to exponents outside 1e-4..1e16 (`1.0e-05`), ranges print as `1..5`.
import { Drop } from 'liquidjs';

/** A Float whose value is whole (2.0): JS numbers cannot tell it from the Integer 2. */
export class RubyFloat extends Drop {
  constructor(readonly value: number) {
    super();
  }
  override valueOf(): number {
    return this.value;
  }
  override toString(): string {
    return formatFloat(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

/** A Ruby Range of integers: iterates like an array, prints as `low..high`. */
export class RubyRange extends Drop {
  private items?: number[];
  constructor(
    readonly low: number,
    readonly high: number,
  ) {
    super();
  }
  override valueOf(): number[] {
    if (!this.items) {
      const items: number[] = [];
      for (let i = this.low; i <= this.high; i++) items.push(i);
      this.items = items;
    }
    return this.items;
  }
  override toString(): string {
    return `${this.low}..${this.high}`;
  }
  override liquidMethodMissing(key: string | number): unknown {
    if (key === 'first') return this.low;
    if (key === 'last') return this.high;
    if (key === 'size') return Math.max(0, this.high - this.low + 1);
    return undefined;
  }
  toJSON(): number[] {
    return this.valueOf();
  }
}

/** Ruby's Float#to_s: shortest round-trip digits, `.0` on whole values, exponents far from 1. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    return `${digits}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = exponent < 0 || !Number.isInteger(n) ? n.toString() : BigInt(n).toString();
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** A JS number as Ruby prints it: whole values as Integers, the rest as Floats. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  return formatFloat(n);
}

function isHash(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '\f': '\\f', '\v': '\\v', '\b': '\\b', '\x07': '\\a', '\x1b': '\\e', '"': '\\"', '\\': '\\\\' };

/** Ruby's String#inspect for UTF-8 text. */
function inspectString(text: string): string {
  const body = text.replace(/["\\\n\t\r\f\v\b\x07\x1b]|#(?=[{$@])|[\x00-\x1f\x7f]/g, (c) => {
    if (c === '#') return '\\#';
    return ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
  return `"${body}"`;
}

/** Liquid::Utils.inspect: how a value appears inside an inspected hash or array. */
export function inspect(value: unknown, seen: Set<object> = new Set()): string {
  if (value === undefined || value === null) return 'nil';
  if (typeof value === 'string') return inspectString(value);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value !== 'object') return String(value);
  if (value instanceof RubyFloat || value instanceof RubyRange) return value.toString();
  if (seen.has(value)) return Array.isArray(value) ? '[...]' : '{...}';
  seen.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((item) => inspect(item, seen)).join(', ')}]`;
    if (isHash(value)) return `{${Object.entries(value).map(([k, v]) => `${inspectString(k)}=>${inspect(v, seen)}`).join(', ')}}`;
    return String(value);
  } finally {
    seen.delete(value);
  }
}

/** Liquid::Utils.to_s: the text a filter sees for its input (hashes and arrays inspected). */
export function toS(value: unknown): string {
  if (value instanceof Drop && !(value instanceof RubyFloat || value instanceof RubyRange)) value = value.valueOf();
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'object' && (Array.isArray(value) || isHash(value))) return inspect(value);
  return String(value);
}

/** What `{{ value }}` writes: arrays flattened element by element, nil as nothing. */
export function outputText(value: unknown): string {
  if (value instanceof Drop && !(value instanceof RubyFloat || value instanceof RubyRange)) value = value.valueOf();
  if (Array.isArray(value)) {
    let text = '';
    for (const item of value) text += outputText(item);
    return text;
  }
  return toS(value);
}

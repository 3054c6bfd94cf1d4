// Ruby Liquid's math filters: operands go through Utils.to_number (decimal strings and floats
// become BigDecimal, other strings to_i, anything else 0), float arithmetic is exact decimal
// arithmetic converted back with to_f (0.1 + 0.2 is 0.3), and a float result stays a float
// (`'3.5' | plus: 1.5` is 5.0).
import { toValue, type FilterImplOptions } from 'liquidjs';
import { RubyFloat } from './to-s.js';

interface RubyNumber {
  value: number;
  float: boolean;
  /** Decimal text of a float operand, when written as such. */
  text?: string;
}

/** Liquid::Utils.to_number. */
export function toRubyNumber(raw: unknown): RubyNumber {
  if (raw instanceof RubyFloat) return { value: raw.value, float: true };
  const v = toValue(raw);
  if (typeof v === 'number') return { value: v, float: !Number.isInteger(v) };
  if (typeof v === 'string') {
    const text = v.trim();
    if (/^-?\d+\.\d+$/.test(text)) return { value: Number(text), float: true, text };
    const match = /^[+-]?\d+/.exec(text);
    return { value: match ? Number.parseInt(match[0], 10) : 0, float: false };
  }
  return { value: 0, float: false };
}

/** A finite number as an exact decimal: digits × 10^-scale. */
interface Decimal {
  digits: bigint;
  scale: number;
}

function toDecimal(n: RubyNumber): Decimal {
  const [mantissa, exp = '0'] = (n.text ?? n.value.toExponential()).split(/e/i) as [string, string?];
  const [whole, fraction = ''] = mantissa.split('.') as [string, string?];
  const scale = fraction.length - Number(exp);
  const digits = BigInt(whole + fraction);
  return scale >= 0 ? { digits, scale } : { digits: digits * 10n ** BigInt(-scale), scale: 0 };
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.digits * 10n ** BigInt(scale - a.scale), b.digits * 10n ** BigInt(scale - b.scale), scale];
}

const fromDecimal = (digits: bigint, scale: number): number => Number(`${digits}e-${scale}`);

/** A float result as Liquid hands it on: whole values keep their float-ness. */
export function rubyFloat(value: number): number | RubyFloat {
  return Number.isInteger(value) ? new RubyFloat(value) : value;
}

const finite = (n: RubyNumber): boolean => Number.isFinite(n.value);

type Operation = (a: RubyNumber, b: RubyNumber) => number | RubyFloat;

function exactly(integers: (a: number, b: number) => number, decimals: (a: Decimal, b: Decimal) => number): Operation {
  return (a, b) => {
    if (!a.float && !b.float) return integers(a.value, b.value);
    if (!finite(a) || !finite(b)) return integers(a.value, b.value);
    return rubyFloat(decimals(toDecimal(a), toDecimal(b)));
  };
}

const add = exactly(
  (a, b) => a + b,
  (a, b) => {
    const [x, y, scale] = aligned(a, b);
    return fromDecimal(x + y, scale);
  },
);
const subtract = exactly(
  (a, b) => a - b,
  (a, b) => {
    const [x, y, scale] = aligned(a, b);
    return fromDecimal(x - y, scale);
  },
);
const multiply = exactly(
  (a, b) => a * b,
  (a, b) => fromDecimal(a.digits * b.digits, a.scale + b.scale),
);

function divide(a: RubyNumber, b: RubyNumber): number | RubyFloat {
  if (!a.float && !b.float) {
    if (b.value === 0) throw new Error('divided by 0');
    return Math.floor(a.value / b.value);
  }
  // A float division by zero is Infinity (or NaN), as BigDecimal#to_f gives it.
  if (!finite(a) || !finite(b) || b.value === 0) return a.value / b.value;
  const [x, y] = aligned(toDecimal(a), toDecimal(b));
  return rubyFloat(Number(x) / Number(y));
}

function modulo(a: RubyNumber, b: RubyNumber): number | RubyFloat {
  if (b.value === 0) throw new Error('divided by 0');
  if (!a.float && !b.float) return ((a.value % b.value) + b.value) % b.value;
  const [x, y, scale] = aligned(toDecimal(a), toDecimal(b));
  return rubyFloat(fromDecimal(((x % y) + y) % y, scale));
}

/** BigDecimal#round: half away from zero, at `places` decimals (negative: tens, hundreds…). */
function roundHalfAway(value: number, places: number): number {
  const [mantissa, exp = '0'] = Math.abs(value).toExponential().split('e') as [string, string?];
  const shifted = Number(`${mantissa}e${Number(exp) + places}`);
  const rounded = Number(`${Math.round(shifted)}e${-places}`);
  return value < 0 ? -rounded : rounded;
}

const binary =
  (operation: Operation): FilterImplOptions =>
  (input: unknown, operand: unknown) =>
    operation(toRubyNumber(input), toRubyNumber(operand));

const asInteger = (n: number): number => (Object.is(n, -0) ? 0 : n);

export const rubyMathFilters: Record<string, FilterImplOptions> = {
  plus: binary(add),
  minus: binary(subtract),
  times: binary(multiply),
  divided_by: binary(divide),
  modulo: binary(modulo),
  abs: (input: unknown) => {
    const n = toRubyNumber(input);
    return n.float ? rubyFloat(Math.abs(n.value)) : Math.abs(n.value);
  },
  ceil: (input: unknown) => asInteger(Math.ceil(toRubyNumber(input).value)),
  floor: (input: unknown) => asInteger(Math.floor(toRubyNumber(input).value)),
  round: (input: unknown, places?: unknown) => {
    const n = toRubyNumber(input);
    const digits = places === undefined || places === null ? 0 : Math.trunc(toRubyNumber(places).value);
    if (!Number.isFinite(n.value)) throw new Error(`${n.value}`);
    const rounded = roundHalfAway(n.value, digits);
    return digits <= 0 || !n.float ? asInteger(rounded) : rubyFloat(rounded);
  },
  at_least: (input: unknown, floor: unknown) => {
    const [a, b] = [toRubyNumber(input), toRubyNumber(floor)];
    const max = a.value >= b.value ? a : b;
    return max.float ? rubyFloat(max.value) : max.value;
  },
  at_most: (input: unknown, ceiling: unknown) => {
    const [a, b] = [toRubyNumber(input), toRubyNumber(ceiling)];
    const min = a.value <= b.value ? a : b;
    return min.float ? rubyFloat(min.value) : min.value;
  },
};

/** Sum with Ruby's decimal float arithmetic (for the `sum` filter). */
export function rubySum(values: unknown[]): number | RubyFloat {
  let total: RubyNumber = { value: 0, float: false };
  for (const item of values) {
    const result = add(total, toRubyNumber(item));
    total = result instanceof RubyFloat ? { value: result.value, float: true } : { value: result, float: !Number.isInteger(result) };
  }
  return total.float ? rubyFloat(total.value) : total.value;
}

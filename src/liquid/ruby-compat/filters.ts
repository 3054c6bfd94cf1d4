// Ruby Liquid filter semantics where liquidjs differs: integer division, truncatewords,
// and slice (which must charge memory for what it returns, not for the requested length).
import { toValue, type FilterImplOptions } from 'liquidjs';

interface FilterThis {
  token?: { args?: unknown[]; input?: string; begin?: number };
}

/** The literal written right before `| filter` when the filter is the first of an output. */
function literalInputText(token: FilterThis['token']): string | undefined {
  if (!token?.input || token.begin === undefined) return undefined;
  const before = token.input.slice(Math.max(0, token.begin - 64), token.begin).replace(/\|\s*$/, '');
  return /(?:^|[\s{=(])([+-]?\d+(?:\.\d+)?)\s*$/.exec(before)?.[1];
}

/** Ruby's Utils.to_integer: integers pass, integral strings parse, anything else is an error. */
export function toRubyInteger(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  const text = value === undefined || value === null ? '' : String(value).trim();
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  throw new Error('invalid integer');
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  const n = Number(String(value ?? '').trim());
  return Number.isNaN(n) ? 0 : n;
}

/** A value is a Ruby Float when it has a fraction or was written with a decimal point. */
function looksFloat(value: unknown, sourceText?: string): boolean {
  if (sourceText !== undefined && /^[+-]?\d+\.\d+$/.test(sourceText)) return true;
  if (typeof value === 'string') return /[.eE]/.test(value.trim());
  return typeof value === 'number' && !Number.isInteger(value);
}

function literalText(token: unknown): string | undefined {
  const t = token as { getText?: () => string; kind?: number } | undefined;
  return t && typeof t.getText === 'function' ? t.getText() : undefined;
}

const dividedBy: FilterImplOptions = function (this: FilterThis, input: unknown, divisor: unknown) {
  const dividend = toNumber(toValue(input));
  const by = toNumber(toValue(divisor));
  const integer = !looksFloat(input, literalInputText(this.token)) && !looksFloat(divisor, literalText(this.token?.args?.[0]));
  if (!integer) return dividend / by;
  if (by === 0) throw new Error('divided by 0');
  return Math.floor(dividend / by);
};

const truncatewords: FilterImplOptions = (raw: unknown, words: unknown = 15, ellipsis: unknown = '...') => {
  const input = toValue(raw);
  if (input === undefined || input === null) return input;
  const text = String(input);
  let limit = toRubyInteger(toValue(words));
  if (limit <= 0) limit = 1;
  const list = text.trim() === '' ? [] : text.trim().split(/\s+/);
  if (list.length <= limit) return text;
  return list.slice(0, limit).join(' ') + (ellipsis === undefined || ellipsis === null ? '' : String(ellipsis));
};

/** Ruby's Array#slice / String#slice(offset, length): nil past the end, negative counts back. */
function rubySlice<T>(items: T[], offset: number, length: number): T[] | undefined {
  const size = items.length;
  const start = offset < 0 ? size + offset : offset;
  if (start < 0 || start > size || length < 0) return undefined;
  return items.slice(start, Math.min(size, start + length));
}

const slice: FilterImplOptions = (raw: unknown, offset: unknown, size?: unknown) => {
  const input = toValue(raw);
  const length = toValue(size);
  const from = toRubyInteger(toValue(offset));
  const count = length === undefined || length === null ? 1 : toRubyInteger(length);
  if (Array.isArray(input)) return rubySlice(input, from, count) ?? [];
  const chars = Array.from(input === undefined || input === null ? '' : String(input));
  return (rubySlice(chars, from, count) ?? []).join('');
};

export const rubyFilters: Record<string, FilterImplOptions> = {
  divided_by: dividedBy,
  truncatewords,
  slice,
};

// Ruby Liquid filter semantics where liquidjs differs: truncatewords, HTML escaping, and slice
// (which must charge memory for what it returns, not for the requested length).
import { toValue, type FilterImplOptions } from 'liquidjs';
import { RubyFloat, toS } from './to-s.js';

/** Ruby's Utils.to_integer: integers pass, integral strings parse, anything else is an error. */
export function toRubyInteger(raw: unknown): number {
  if (raw instanceof RubyFloat) throw new Error('invalid integer');
  const value = toValue(raw);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const text = value === undefined || value === null ? '' : String(value).trim();
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  throw new Error('invalid integer');
}

const truncatewords: FilterImplOptions = (raw: unknown, words: unknown = 15, ellipsis: unknown = '...') => {
  const input = toValue(raw);
  if (input === undefined || input === null) return input;
  const text = String(input);
  let limit = toRubyInteger(words);
  if (limit <= 0) limit = 1;
  // Ruby's split(" ") breaks on ASCII whitespace only (a no-break space is part of a word).
  const trimmed = text.replace(/^[ \t\n\v\f\r]+/, '');
  const list = trimmed === '' ? [] : trimmed.split(/[ \t\n\v\f\r]+/);
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
  const from = toRubyInteger(offset);
  const count = length === undefined || length === null ? 1 : toRubyInteger(size);
  if (Array.isArray(input)) return rubySlice(input, from, count) ?? [];
  const chars = Array.from(toS(raw));
  return (rubySlice(chars, from, count) ?? []).join('');
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeChar = (c: string): string => HTML_ESCAPES[c]!;

const truncate: FilterImplOptions = (raw: unknown, length: unknown = 50, ellipsis: unknown = '...') => {
  const input = toValue(raw);
  if (input === undefined || input === null) return input;
  const chars = Array.from(String(input));
  const max = toRubyInteger(length);
  const suffix = ellipsis === undefined || ellipsis === null ? '' : String(ellipsis);
  if (chars.length <= max) return chars.join('');
  return chars.slice(0, Math.max(0, max - Array.from(suffix).length)).join('') + suffix;
};

/**
 * Removes `open…close` spans, leftmost first, in linear time (a lazy regex is quadratic): each
 * opener's next position is remembered until the scan passes it.
 */
function removeSpans(text: string, spans: [string, string][]): string {
  const next = new Map<string, number>(spans.map(([open]) => [open, -1]));
  const closeOf = new Map(spans);
  let out = '';
  let i = 0;
  for (;;) {
    let at = -1;
    let opener = '';
    for (const [open, cached] of next) {
      const found = cached >= i ? cached : text.indexOf(open, i);
      if (found < 0) next.delete(open);
      else {
        next.set(open, found);
        if (at < 0 || found < at) [at, opener] = [found, open];
      }
    }
    if (at < 0) break;
    const close = closeOf.get(opener)!;
    const end = text.indexOf(close, at + opener.length);
    // No close after this opener: none after its later occurrences either.
    if (end < 0) next.delete(opener);
    else {
      out += text.slice(i, at);
      i = end + close.length;
    }
  }
  return out + text.slice(i);
}

/** Ruby Liquid's strip_html: script, comment and style blocks go first, then every tag. */
const stripHtml: FilterImplOptions = (raw: unknown) => {
  const text = toS(raw);
  const withoutBlocks = removeSpans(text, [
    ['<script', '</script>'],
    ['<!--', '-->'],
    ['<style', '</style>'],
  ]);
  return removeSpans(withoutBlocks, [['<', '>']]);
};

export const rubyFilters: Record<string, FilterImplOptions> = {
  strip_html: stripHtml,
  truncate,
  truncatewords,
  slice,
  // CGI.escapeHTML, and escape_once leaving existing entities alone.
  escape: (input: unknown) => (input === undefined || input === null ? input : String(input).replace(/[&<>"']/g, escapeChar)),
  escape_once: (input: unknown) =>
    input === undefined || input === null ? input : String(input).replace(/["><']|&(?!([a-zA-Z]+|(#\d+));)/g, escapeChar),
};

// Ruby-style scalar coercions shared by the Ruby-compatible tags and filters.
import { toValue, type Parser, type TagToken, type Template, type TopLevelToken } from 'liquidjs';

/** Ruby's String#to_i / Integer(): leading integer of a string, 0 when none; raises for booleans. */
export function rubyToInteger(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') throw new Error('invalid integer');
  const match = /^\s*([+-]?\d+)/.exec(String(value));
  return match ? Number.parseInt(match[1]!, 10) : 0;
}

/** Iterable view of a collection as Ruby Liquid iterates it. */
export function toCollection(raw: unknown): unknown[] {
  const value = toValue(raw);
  if (value === undefined || value === null || value === false) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (typeof value === 'object') {
    if (Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
    return Object.entries(value as Record<string, unknown>);
  }
  return [value];
}

/**
 * Ruby's Utils.slice_collection: items from..to (to exclusive, open when undefined); a string is
 * one item whatever the bounds, nil and false have none, a hash yields its [key, value] pairs.
 */
export function sliceCollection(source: unknown, from: number, to: number | undefined): unknown[] {
  const value = toValue(source);
  if (typeof value === 'string') return value === '' ? [] : [value];
  const items = toCollection(value);
  return items.slice(Math.max(from, 0), to === undefined ? undefined : Math.max(to, 0));
}

/** Parses a block tag's body up to its `end…` tag into `into`; an unclosed block is an error. */
export function readBlockBody(parser: Parser, remainTokens: TopLevelToken[], token: TagToken, end: string, into: Template[]): void {
  const stream = parser
    .parseStream(remainTokens)
    .on(`tag:${end}`, () => stream.stop())
    .on('template', (tpl: Template) => into.push(tpl))
    .on('end', () => {
      throw new Error(`tag ${token.getText()} not closed`);
    });
  stream.start();
}

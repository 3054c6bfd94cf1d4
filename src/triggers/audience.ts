// Audience filters in the manner of Braze's segment filters on custom attributes. All filters of
// an audience must match. Negative filters (not_equals, is_none_of, does_not_contain, ...) match a
// user who has no value at all: "lead_status is none of MQL" reaches a lead without a status.
import { jsonEquals } from '../profiles/index.js';
import type { Attributes, Json } from '../domain/index.js';
import { regexMatches } from './regex.js';
import { type Filter, RELATIVE_TIME } from './schema.js';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
const DAY_MS = 86400e3;

/** A filter's date value (ISO-8601 or `now±N<unit>`) as epoch milliseconds. */
export function resolveMoment(value: string, now: Date): number {
  const relative = RELATIVE_TIME.exec(value);
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (!sign) return now.getTime();
    return now.getTime() + (sign === '-' ? -1 : 1) * Number(amount) * UNIT_MS[unit!]!;
  }
  return Date.parse(value);
}

/** Attribute value as epoch milliseconds when it is a date string; undefined otherwise. */
function asTime(value: Json | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

const isMissing = (value: Json | undefined): value is undefined | null => value === undefined || value === null;

function contains(actual: Json | undefined, needle: Json | undefined): boolean {
  if (Array.isArray(actual)) return actual.some((item) => jsonEquals(item, needle ?? null));
  if (typeof actual === 'string' && typeof needle === 'string') return actual.includes(needle);
  return false;
}

function matchesRegex(actual: Json | undefined, pattern: Json | undefined): boolean {
  if (typeof actual !== 'string' || typeof pattern !== 'string') return false;
  // Linear time in the value: ingested values must not be able to stall intake.
  return regexMatches(pattern, actual);
}

function compare(actual: Json | undefined, expected: Json | undefined, test: (a: number, b: number) => boolean): boolean {
  return typeof actual === 'number' && typeof expected === 'number' && test(actual, expected);
}

/** Does one value satisfy one filter? `now` anchors relative dates. */
export function matchesFilter(filter: Filter, actual: Json | undefined, now: Date): boolean {
  const { value, values = [] } = filter;
  switch (filter.operator) {
    case 'equals':
      return !isMissing(actual) && jsonEquals(actual, value);
    case 'not_equals':
      return isMissing(actual) || !jsonEquals(actual, value);
    case 'is_any_of':
      return !isMissing(actual) && values.some((v) => jsonEquals(actual, v));
    case 'is_none_of':
      return isMissing(actual) || !values.some((v) => jsonEquals(actual, v));
    case 'greater_than':
      return compare(actual, value, (a, b) => a > b);
    case 'greater_than_or_equal':
      return compare(actual, value, (a, b) => a >= b);
    case 'less_than':
      return compare(actual, value, (a, b) => a < b);
    case 'less_than_or_equal':
      return compare(actual, value, (a, b) => a <= b);
    case 'exists':
      return !isMissing(actual) && !(Array.isArray(actual) && actual.length === 0);
    case 'does_not_exist':
      return isMissing(actual) || (Array.isArray(actual) && actual.length === 0);
    case 'contains':
      return contains(actual, value);
    case 'does_not_contain':
      return !contains(actual, value);
    case 'includes_any_of':
      return values.some((v) => contains(actual, v));
    case 'includes_none_of':
      return !values.some((v) => contains(actual, v));
    case 'matches_regex':
      return matchesRegex(actual, value);
    case 'does_not_match_regex':
      return !matchesRegex(actual, value);
    case 'is_true':
      return actual === true;
    case 'is_false':
      return actual === false;
    case 'before':
    case 'after': {
      const at = asTime(actual);
      if (at === undefined || typeof value !== 'string') return false;
      const bound = resolveMoment(value, now);
      return filter.operator === 'before' ? at < bound : at > bound;
    }
    case 'more_than_days_ago':
    case 'less_than_days_ago': {
      const at = asTime(actual);
      if (at === undefined || typeof value !== 'number') return false;
      const bound = now.getTime() - value * DAY_MS;
      // "less than N days ago" means within the last N days, not in the future.
      return filter.operator === 'more_than_days_ago' ? at < bound : at >= bound && at <= now.getTime();
    }
    default: {
      const unknown: never = filter.operator;
      throw new Error(`unknown filter operator ${String(unknown)}`);
    }
  }
}

/** True when every filter matches the attributes (an empty audience matches everyone). */
export function matchesAudience(filters: readonly Filter[], attributes: Attributes, now: Date): boolean {
  return filters.every((filter) =>
    matchesFilter(filter, Object.prototype.hasOwnProperty.call(attributes, filter.attribute) ? attributes[filter.attribute] : undefined, now),
  );
}

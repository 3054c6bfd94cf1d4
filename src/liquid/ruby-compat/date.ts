// Ruby Liquid's `date` filter: empty or nil format returns the input, unparseable input is
// returned unchanged, otherwise Ruby strftime in the time's own offset (UTC by default).
import type { FilterImplOptions, Liquid } from 'liquidjs';
import { clockOf } from './clock.js';
import { toZonedTime } from './time/parse.js';
import { strftime } from './time/strftime.js';

export function dateFilter(input: unknown, format: unknown, now: () => Date): unknown {
  const pattern = format === undefined || format === null ? '' : String(format);
  if (pattern === '') return input;
  const time = toZonedTime(input, now);
  return time ? strftime(time, pattern) : input;
}

export const rubyDate: FilterImplOptions = function (this: { liquid: Liquid }, input: unknown, format?: unknown) {
  return dateFilter(input, format, clockOf(this.liquid));
};

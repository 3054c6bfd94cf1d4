// Braze's time filters: `time_zone` shows a time in an IANA zone, and `date` (Ruby's, with
// '%s' and 'now' read from the engine's clock) formats it in that zone.
import type { Context, FilterImplOptions, Liquid } from 'liquidjs';
import { clockOf, inZone, rubyDate, toZonedTime } from '../ruby-compat/index.js';
import { renderStateOf } from '../render-state.js';

export const timeFilters: Record<string, FilterImplOptions> = {
  date: rubyDate,
  time_zone: function (this: { liquid: Liquid; context: Context }, input: unknown, zone: unknown) {
    const time = toZonedTime(input, clockOf(this.liquid));
    if (!time) return input;
    try {
      return inZone(time, String(zone ?? 'UTC'));
    } catch {
      renderStateOf(this.context)?.warnings.push(`time_zone: unknown time zone "${String(zone)}"`);
      return time;
    }
  },
};

import type { Liquid } from 'liquidjs';
import { RubyTablerowTag } from './tablerow.js';
import { rubyDate } from './date.js';
import { rubyFilters } from './filters.js';

export { setClock, clockOf } from './clock.js';
export { ZonedTime, inZone } from './time/zoned-time.js';
export { toZonedTime } from './time/parse.js';
export { strftime } from './time/strftime.js';
export { dateFilter, rubyDate } from './date.js';

/** Aligns liquidjs with Shopify's Ruby Liquid where they differ (tags and filters). */
export function registerRubyCompat(liquid: Liquid): void {
  liquid.registerTag('tablerow', RubyTablerowTag);
  liquid.registerFilter('date', rubyDate);
  for (const [name, filter] of Object.entries(rubyFilters)) liquid.registerFilter(name, filter);
}

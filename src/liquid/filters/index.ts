import type { Liquid } from 'liquidjs';
import { setClock } from '../ruby-compat/index.js';
import { encodingFilters } from './encoding.js';
import { jsonFilters } from './json.js';
import { miscFilters } from './misc.js';
import { numberFilters } from './numbers.js';
import { timeFilters } from './time.js';
import { urlFilters } from './url.js';

export interface FilterOptions {
  /** Clock for 'now' / 'today' in date filters. */
  now?: () => Date;
}

export { money, numberWithDelimiter } from './numbers.js';

export const brazeFilters = { ...encodingFilters, ...urlFilters, ...jsonFilters, ...numberFilters, ...miscFilters, ...timeFilters };

/** Registers Braze's extra filters (and Braze's `date`, which shares the engine's clock). */
export function registerBrazeFilters(liquid: Liquid, options: FilterOptions = {}): void {
  if (options.now) setClock(liquid, options.now);
  for (const [name, filter] of Object.entries(brazeFilters)) liquid.registerFilter(name, filter);
}

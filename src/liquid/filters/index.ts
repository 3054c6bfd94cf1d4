import type { Liquid } from 'liquidjs';
import { setClock } from '../ruby-compat/index.js';

export interface FilterOptions {
  now?: () => Date;
}

/** Registers Braze's extra filters. */
export function registerBrazeFilters(liquid: Liquid, options: FilterOptions = {}): void {
  if (options.now) setClock(liquid, options.now);
}

import type { Liquid } from 'liquidjs';

export interface FilterOptions {
  now?: () => Date;
}

/** Registers Braze's extra filters. (Placeholder until the filters land.) */
export function registerBrazeFilters(_liquid: Liquid, _options: FilterOptions = {}): void {}

import type { Liquid } from 'liquidjs';

/** Aligns liquidjs with Shopify's Ruby Liquid where they differ. (Placeholder.) */
export function registerRubyCompat(_liquid: Liquid): void {}

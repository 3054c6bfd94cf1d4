import type { Liquid } from 'liquidjs';
import { RubyTablerowTag } from './tablerow.js';

/** Aligns liquidjs with Shopify's Ruby Liquid where they differ (tags and filters). */
export function registerRubyCompat(liquid: Liquid): void {
  liquid.registerTag('tablerow', RubyTablerowTag);
}

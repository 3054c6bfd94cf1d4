// Conditions used by scoring programs, in the same filter language as campaign audiences:
// exclusions test profile attributes, property filters test event properties (a filter's
// `attribute` names the property, as in custom-event triggers).
import { z } from 'zod';
import type { Attributes } from '../domain/index.js';
import { FilterSchema, matchesAudience, type Filter } from '../triggers/index.js';

export { FilterSchema, type Filter };

/** An exclusion is one audience filter, optionally named ("employees", "customers") for reports. */
export const ExclusionSchema = FilterSchema.safeExtend({ name: z.string().min(1).optional() });
export type Exclusion = z.output<typeof ExclusionSchema>;

/** The first exclusion the profile matches, if any (each exclusion removes one population). */
export function exclusionFor<F extends Filter>(exclusions: readonly F[], attributes: Attributes, now: Date): F | undefined {
  return exclusions.find((f) => matchesAudience([f], attributes, now));
}

export function isExcluded(exclusions: readonly Filter[], attributes: Attributes, now: Date): boolean {
  return exclusionFor(exclusions, attributes, now) !== undefined;
}

/** True when the event properties match ALL the filters (filters narrow one trigger). */
export function matchesPropertyFilters(filters: readonly Filter[] | undefined, properties: Attributes, now: Date): boolean {
  return matchesAudience(filters ?? [], properties, now);
}

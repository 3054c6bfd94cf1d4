// Conditions used by scoring programs: audience exclusions (on profile attributes) and
// property filters (on event properties). Both share one operator set and one evaluator,
// in the same `{ attribute, operator, value?, values? }` shape as the audience filters.
import { z } from 'zod';
import type { Attributes, Json } from '../store/types.js';

export const FILTER_OPERATORS = [
  'equals',
  'not_equals',
  'is_any_of',
  'is_none_of',
  'greater_than',
  'less_than',
  'exists',
  'does_not_exist',
  'contains',
  'before',
  'after',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

const JsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(JsonSchema), z.record(z.string(), JsonSchema)]),
);

const conditionFields = {
  operator: z.enum(FILTER_OPERATORS),
  value: JsonSchema.optional(),
  values: z.array(JsonSchema).optional(),
};

/** Checks that each operator gets the operand it needs, reporting at `value` / `values`. */
function checkOperands(c: { operator: FilterOperator; value?: Json; values?: Json[] }, ctx: z.RefinementCtx): void {
  const needsValues = c.operator === 'is_any_of' || c.operator === 'is_none_of';
  const needsNothing = c.operator === 'exists' || c.operator === 'does_not_exist';
  if (needsValues) {
    if (!c.values || c.values.length === 0)
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${c.operator} needs a non-empty "values" list` });
    return;
  }
  if (needsNothing) return;
  if (c.value === undefined) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${c.operator} needs a "value"` });
    return;
  }
  if ((c.operator === 'greater_than' || c.operator === 'less_than') && typeof c.value !== 'number')
    ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${c.operator} needs a number` });
  if ((c.operator === 'before' || c.operator === 'after') && toTime(c.value) === undefined)
    ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${c.operator} needs an ISO-8601 date` });
}

export const AudienceFilterSchema = z
  .object({ attribute: z.string().min(1), ...conditionFields })
  .strict()
  .superRefine(checkOperands);
export type AudienceFilter = z.infer<typeof AudienceFilterSchema>;

/** An exclusion is one audience filter, optionally named ("employees", "customers") for reports. */
export const ExclusionSchema = z
  .object({ name: z.string().min(1).optional(), attribute: z.string().min(1), ...conditionFields })
  .strict()
  .superRefine(checkOperands);
export type Exclusion = z.infer<typeof ExclusionSchema>;

export const PropertyFilterSchema = z
  .object({ property: z.string().min(1), ...conditionFields })
  .strict()
  .superRefine(checkOperands);
export type PropertyFilter = z.infer<typeof PropertyFilterSchema>;

type Condition = { operator: FilterOperator; value?: Json; values?: Json[] };

function toTime(v: Json | undefined): number | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function sameValue(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** Arrays match a value when any element does (Braze's array attributes behave this way). */
function anyOf(actual: Json | undefined, candidates: Json[]): boolean {
  const items = Array.isArray(actual) ? actual : [actual];
  return items.some((item) => candidates.some((c) => sameValue(item, c)));
}

/** A missing value is "absent": negative operators match it, positive ones don't. */
export function matchesCondition(c: Condition, actual: Json | undefined): boolean {
  const present = actual !== undefined && actual !== null;
  switch (c.operator) {
    case 'exists':
      return present;
    case 'does_not_exist':
      return !present;
    case 'equals':
      return present && anyOf(actual, [c.value ?? null]);
    case 'not_equals':
      return !present || !anyOf(actual, [c.value ?? null]);
    case 'is_any_of':
      return present && anyOf(actual, c.values ?? []);
    case 'is_none_of':
      return !present || !anyOf(actual, c.values ?? []);
    case 'greater_than':
      return typeof actual === 'number' && typeof c.value === 'number' && actual > c.value;
    case 'less_than':
      return typeof actual === 'number' && typeof c.value === 'number' && actual < c.value;
    case 'contains': {
      if (Array.isArray(actual)) return anyOf(actual, [c.value ?? null]);
      // Case-insensitive: e-mail domains and similar are written with any case.
      return typeof actual === 'string' && typeof c.value === 'string' && actual.toLowerCase().includes(c.value.toLowerCase());
    }
    case 'before':
    case 'after': {
      const a = toTime(actual);
      const b = toTime(c.value);
      if (a === undefined || b === undefined) return false;
      return c.operator === 'before' ? a < b : a > b;
    }
  }
}

/** Reads `key` from a record, falling back to a dotted path into nested objects. */
function lookup(record: Attributes, key: string): Json | undefined {
  if (Object.hasOwn(record, key)) return record[key];
  let cur: Json | undefined = record;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** True when the profile matches ANY exclusion filter (each filter excludes a population). */
export function isExcluded(exclusions: readonly AudienceFilter[], attributes: Attributes): boolean {
  return exclusionFor(exclusions, attributes) !== undefined;
}

/** The first exclusion the profile matches, if any. */
export function exclusionFor<F extends AudienceFilter>(exclusions: readonly F[], attributes: Attributes): F | undefined {
  return exclusions.find((f) => matchesCondition(f, lookup(attributes, f.attribute)));
}

/** True when the event properties match ALL the filters (filters narrow one trigger). */
export function matchesPropertyFilters(filters: readonly PropertyFilter[] | undefined, properties: Attributes): boolean {
  return (filters ?? []).every((f) => matchesCondition(f, lookup(properties, f.property)));
}

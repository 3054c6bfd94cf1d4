// Campaign definition: what triggers a send, who may receive it, how often, and the webhook.
// The JSON shape is a public contract (API, files, docs); the schema is its single source of truth.
import { z } from 'zod';
import { AttributeValueSchema } from '../domain/index.js';
// Imported from the leaf module, not render/index.js: render's file format imports this schema.
import { WebhookSchema } from '../render/schema.js';
import { compileFilterRegex } from './regex.js';

export const FILTER_OPERATORS = [
  'equals',
  'not_equals',
  'is_any_of',
  'is_none_of',
  'greater_than',
  'greater_than_or_equal',
  'less_than',
  'less_than_or_equal',
  'exists',
  'does_not_exist',
  'contains',
  'does_not_contain',
  'includes_any_of',
  'includes_none_of',
  'matches_regex',
  'does_not_match_regex',
  'is_true',
  'is_false',
  'before',
  'after',
  'more_than_days_ago',
  'less_than_days_ago',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

const NEEDS_VALUES = new Set<FilterOperator>(['is_any_of', 'is_none_of', 'includes_any_of', 'includes_none_of']);
const NEEDS_NO_VALUE = new Set<FilterOperator>(['exists', 'does_not_exist', 'is_true', 'is_false']);
const NEEDS_NUMBER = new Set<FilterOperator>([
  'greater_than',
  'greater_than_or_equal',
  'less_than',
  'less_than_or_equal',
  'more_than_days_ago',
  'less_than_days_ago',
]);

/** `now`, `now-7d`, `now+2h` (units s, m, h, d, w): a moment relative to evaluation time. */
export const RELATIVE_TIME = /^now(?:([+-])(\d+)([smhdw]))?$/;

export const FilterSchema = z
  .object({
    attribute: z.string().min(1, 'attribute must not be empty').max(255),
    operator: z.enum(FILTER_OPERATORS),
    value: z.json().optional(),
    values: z.array(z.json()).min(1, 'values must not be empty').max(1000).optional(),
  })
  .strict()
  .superRefine((filter, ctx) => {
    const { operator } = filter;
    if (NEEDS_VALUES.has(operator)) {
      if (!filter.values) ctx.addIssue({ code: 'custom', path: ['values'], message: `${operator} needs values` });
      return;
    }
    if (filter.values) ctx.addIssue({ code: 'custom', path: ['values'], message: `${operator} takes value, not values` });
    if (NEEDS_NO_VALUE.has(operator)) {
      if (filter.value !== undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `${operator} takes no value` });
      return;
    }
    if (filter.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${operator} needs a value` });
    } else if (NEEDS_NUMBER.has(operator) && typeof filter.value !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${operator} needs a number` });
    } else if (operator === 'matches_regex' || operator === 'does_not_match_regex') {
      const problem = regexProblem(filter.value);
      if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
    } else if ((operator === 'before' || operator === 'after') && !validMoment(filter.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'value must be an ISO-8601 date or a relative time such as "now-7d"',
      });
    }
  });
export type Filter = z.output<typeof FilterSchema>;

function regexProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'value must be a regular expression (a string)';
  const compiled = compileFilterRegex(value);
  return compiled.ok
    ? undefined
    : `value must be a regular expression in RE2 syntax (matched in linear time; no backreferences or lookaround): ${compiled.reason}`;
}

function validMoment(value: unknown): boolean {
  return typeof value === 'string' && (RELATIVE_TIME.test(value) || !Number.isNaN(Date.parse(value)));
}

export const AttributeChangedTriggerSchema = z
  .object({
    type: z.literal('custom_attribute_changed'),
    attribute: z.string().min(1).max(255),
    change: z.enum(['any', 'to', 'increased', 'decreased']).default('any'),
    value: z.json().optional().describe('With change "to": the new value that triggers'),
  })
  .strict()
  .superRefine((trigger, ctx) => {
    if (trigger.change === 'to' && trigger.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'change "to" needs a value' });
    }
  });

export const CustomEventTriggerSchema = z
  .object({
    type: z.literal('custom_event'),
    event: z.string().min(1).max(255),
    property_filters: z.array(FilterSchema).max(50).default([]),
  })
  .strict();

export const EmailAddressAddedTriggerSchema = z.object({ type: z.literal('email_address_added') }).strict();

export const TriggerSchema = z.discriminatedUnion('type', [
  AttributeChangedTriggerSchema,
  CustomEventTriggerSchema,
  EmailAddressAddedTriggerSchema,
]);
export type Trigger = z.output<typeof TriggerSchema>;

export const CampaignSchema = z
  .object({
    name: z.string().min(1, 'name must not be empty').max(200),
    enabled: z.boolean().default(true),
    trigger: TriggerSchema,
    audience: z.array(FilterSchema).max(50).default([]).describe('All filters must match (AND)'),
    reeligible_after_seconds: z
      .number()
      .int()
      .min(0)
      .nullable()
      .default(null)
      .describe('0: re-eligible at once; null or absent: a user receives the campaign only once'),
    webhook: WebhookSchema,
    on_delivered_update: z
      .object({ attributes: z.record(z.string().min(1).max(255), AttributeValueSchema) })
      .strict()
      .optional()
      .describe('Attribute updates applied to the recipient once the send is delivered'),
  })
  .strict();

export type Campaign = z.output<typeof CampaignSchema>;
export type CampaignInput = z.input<typeof CampaignSchema>;

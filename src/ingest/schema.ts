// The Braze-compatible `POST /users/track` request body. These schemas are the single source of
// truth for the route's validation and its OpenAPI description.
import { z } from 'zod';
import { AttributeValueSchema, isOperationObject } from '../domain/index.js';

export { AttributeValueSchema, isOperationObject };

/** Braze accepts at most 75 objects of each kind per request. */
export const MAX_OBJECTS_PER_KIND = 75;
/** Braze's limit on custom attribute and event names. */
export const MAX_NAME_LENGTH = 255;

const jsonValue = z.json();
const properties = z.record(z.string().max(MAX_NAME_LENGTH), jsonValue);

/** ISO-8601 date-time (`2024-05-01T10:00:00Z`, with offset, or without a zone meaning UTC). */
export const TimeSchema = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.:]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
    // A text that is not even shaped like a time gets this one error, not also the next one.
    { message: 'must be an ISO-8601 date-time, e.g. 2024-05-01T10:00:00Z', abort: true },
  )
  .refine((text) => parseBrazeTime(text) !== undefined, 'is not a valid date-time')
  .describe('ISO-8601 date-time');

/** Parses Braze's time formats, including `yyyy-MM-dd'T'HH:mm:ss:SSSZ` (colon before millis). */
export function parseBrazeTime(text: string): Date | undefined {
  let normalized = text.replace(' ', 'T').replace(/(T\d{2}:\d{2}:\d{2}):(\d{1,9})/, '$1.$2');
  normalized = normalized.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  // Without a zone Braze assumes UTC (JavaScript would assume local time).
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(normalized)) normalized += 'Z';
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Keys of an attributes object that identify the user or steer processing rather than set data. */
export const IDENTIFIER_KEYS = ['external_id', 'user_alias', 'braze_id', '_update_existing_only', 'push_token_import'] as const;

/** Braze profile fields that hold a string (or null to unset), never an operation. */
export const STRING_PROFILE_FIELDS = [
  'email',
  'first_name',
  'last_name',
  'phone',
  'country',
  'language',
  'home_city',
  'gender',
  'time_zone',
  'dob',
  'image_url',
  'email_subscribe',
  'push_subscribe',
] as const;

export const UserAttributesSchema = z
  .object({
    external_id: z.string().min(1, 'external_id must not be empty').max(MAX_NAME_LENGTH),
    user_alias: z.object({ alias_name: z.string(), alias_label: z.string() }).optional(),
    braze_id: z.string().optional(),
    _update_existing_only: z.boolean().optional(),
    push_token_import: z.boolean().optional(),
    ...Object.fromEntries(
      STRING_PROFILE_FIELDS.map((field) => [field, z.string().max(MAX_NAME_LENGTH).nullable().optional()]),
    ),
  })
  .catchall(AttributeValueSchema)
  .superRefine((entry, ctx) => {
    for (const name of Object.keys(entry)) {
      if (name.length === 0) ctx.addIssue({ code: 'custom', path: [name], message: 'attribute name must not be empty' });
      if (name.length > MAX_NAME_LENGTH) {
        ctx.addIssue({ code: 'custom', path: [name], message: `attribute name longer than ${MAX_NAME_LENGTH}` });
      }
    }
  })
  .describe('User attributes object: external_id plus any profile field or custom attribute');

export const EventSchema = z
  .object({
    external_id: z.string().min(1, 'external_id must not be empty').max(MAX_NAME_LENGTH),
    app_id: z.string().optional(),
    name: z.string().min(1, 'name must not be empty').max(MAX_NAME_LENGTH),
    time: TimeSchema,
    properties: properties.optional(),
    _update_existing_only: z.boolean().optional(),
  })
  .strict()
  .describe('Custom event object');

export const PurchaseSchema = z
  .object({
    external_id: z.string().min(1, 'external_id must not be empty').max(MAX_NAME_LENGTH),
    app_id: z.string().optional(),
    product_id: z.string().min(1, 'product_id must not be empty').max(MAX_NAME_LENGTH),
    currency: z.string().regex(/^[A-Za-z]{3}$/, 'currency must be an ISO 4217 code such as USD'),
    price: z.number().finite(),
    quantity: z.number().int().min(1).max(100).optional(),
    time: TimeSchema,
    properties: properties.optional(),
    _update_existing_only: z.boolean().optional(),
  })
  .strict()
  .describe('Purchase object');

/**
 * The top-level fields of a /users/track body. Any other field is ignored, as Braze ignores it
 * (clients written for Braze may still send the legacy `api_key` in the body); the response
 * names the ignored fields so a misspelt `event` does not go unnoticed.
 */
export const TRACK_FIELDS = ['attributes', 'events', 'purchases'] as const;

export function ignoredTrackFields(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  return Object.keys(body).filter((key) => !(TRACK_FIELDS as readonly string[]).includes(key));
}

export const TrackRequestSchema = z
  .object({
    attributes: z
      .array(UserAttributesSchema)
      .max(MAX_OBJECTS_PER_KIND, `at most ${MAX_OBJECTS_PER_KIND} attributes objects per request`)
      .optional(),
    events: z
      .array(EventSchema)
      .max(MAX_OBJECTS_PER_KIND, `at most ${MAX_OBJECTS_PER_KIND} event objects per request`)
      .optional(),
    purchases: z
      .array(PurchaseSchema)
      .max(MAX_OBJECTS_PER_KIND, `at most ${MAX_OBJECTS_PER_KIND} purchase objects per request`)
      .optional(),
  })
  .describe('Braze-compatible /users/track body');

export type TrackRequest = z.output<typeof TrackRequestSchema>;

export const TrackErrorSchema = z.object({
  type: z.string(),
  input_array: z.enum(['attributes', 'events', 'purchases']),
  index: z.number().int(),
});

export const TrackResponseSchema = z.object({
  message: z.literal('success'),
  attributes_processed: z.number().int().optional(),
  events_processed: z.number().int().optional(),
  purchases_processed: z.number().int().optional(),
  errors: z.array(TrackErrorSchema).optional(),
  ignored_fields: z.array(z.string()).optional().describe('Top-level fields other than attributes, events and purchases: ignored, as Braze ignores them'),
});

export type TrackError = z.output<typeof TrackErrorSchema>;
export type TrackResponse = z.output<typeof TrackResponseSchema>;

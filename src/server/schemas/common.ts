// Shapes shared by every route: the error body and connected_content call records. The API is
// snake_case throughout; these schemas document it (OpenAPI) and check it on the way out.
import { z } from 'zod';
import { ERROR_CODES } from '../../errors/index.js';
import type { CallRecord } from '../../liquid/index.js';

export const FieldErrorSchema = z.object({
  path: z.string().describe('Where the problem is, e.g. attributes[0]["lead score"]'),
  message: z.string(),
  line: z.number().int().optional().describe('For a template that does not parse: 1-based line inside that field'),
  column: z.number().int().optional().describe('For a template that does not parse: 1-based column inside that field'),
});

export const ErrorBodySchema = z
  .object({
    code: z.enum(ERROR_CODES).describe('Stable error code (LH_…): branch on this, not on the message'),
    message: z.string(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .describe('Error: a stable code, a message and, for invalid input, one entry per problem');

/** The error responses every authenticated route can give, for its response schema. */
export const ERROR_RESPONSES = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  404: ErrorBodySchema,
  413: ErrorBodySchema,
  415: ErrorBodySchema,
  429: ErrorBodySchema,
} as const;

export const Timestamp = z.string().describe('ISO-8601 date-time');

export const CallRecordSchema = z
  .object({
    url: z.string().describe('Requested URL, secrets redacted'),
    method: z.string(),
    status_code: z.number().int().nullable().describe('HTTP status; null when no response came'),
    duration_ms: z.number().describe('Wall time; 0 when served from the cache'),
    cached: z.boolean(),
    save_as: z.string().nullable().describe('Variable named by :save'),
    attempts: z.number().int(),
    error: z.string().nullable(),
    stubbed: z.boolean().describe('True when a preview answered the call with a stub or a recording: nothing went over the network'),
  })
  .describe('One connected_content call made while rendering');

export function callRecordView(call: CallRecord): z.output<typeof CallRecordSchema> {
  return {
    url: call.url,
    method: call.method,
    status_code: call.status ?? null,
    duration_ms: call.ms,
    cached: call.cached,
    save_as: call.saveAs ?? null,
    attempts: call.attempts,
    error: call.error ?? null,
    stubbed: call.stubbed === true,
  };
}

export const MessageExtrasSchema = z
  .record(z.string(), z.string())
  .describe('Key/value pairs of the template\'s message_extras tags, recorded on the send (Braze\'s send-event message_extras); empty when none');

export const RenderErrorSchema = z.object({
  field: z.string().describe('Webhook field whose template failed, e.g. url or headers.Authorization'),
  message: z.string(),
  line: z.number().int(),
  column: z.number().int(),
});

// Webhook definition: the single source of truth for its TypeScript type, API validation and
// OpenAPI. Every string field is a Braze-dialect Liquid template, rendered per recipient.
import { z } from 'zod';
import { CodedError } from '../errors/index.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Upper bound of any one template field; the engine applies its own render-time limits. */
export const MAX_TEMPLATE_CHARS = 256 * 1024;

// RFC 9110 token characters: what a header field name may contain.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const liquidTemplate = z.string().max(MAX_TEMPLATE_CHARS, `must be at most ${MAX_TEMPLATE_CHARS} characters`);

export const RawBodySchema = z
  .object({
    type: z.literal('raw'),
    text: liquidTemplate.describe('Raw request body, a Liquid template'),
  })
  .strict();

export const JsonPairSchema = z
  .object({
    key: liquidTemplate.min(1, 'key must not be empty').describe('JSON property name (Liquid template)'),
    value: liquidTemplate.describe('JSON string value (Liquid template)'),
  })
  .strict();

export const JsonPairsBodySchema = z
  .object({
    type: z.literal('json_pairs'),
    pairs: z.array(JsonPairSchema).max(500).describe('Rendered to a JSON object of string values, in order'),
  })
  .strict();

export const WebhookBodySchema = z.discriminatedUnion('type', [RawBodySchema, JsonPairsBodySchema]);

export const WebhookSchema = z
  .object({
    url: liquidTemplate.min(1, 'url must not be empty').describe('Request URL (Liquid template)'),
    method: z.enum(HTTP_METHODS),
    headers: z
      .record(
        z.string().regex(HEADER_NAME, 'header name must be an HTTP token (letters, digits, !#$%&\'*+.^_`|~-)'),
        liquidTemplate,
      )
      .default({})
      .describe('Header name to value (Liquid template; the rendered value is trimmed)'),
    body: WebhookBodySchema.default({ type: 'raw', text: '' }),
    signing_secret_ref: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Name of a configured secret used to sign the request; never the secret itself'),
  })
  .strict()
  .superRefine((webhook, ctx) => {
    const seen = new Map<string, string>();
    for (const name of Object.keys(webhook.headers)) {
      const lower = name.toLowerCase();
      const first = seen.get(lower);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: `duplicate header "${name}" (header names are case-insensitive; "${first}" is already set)`,
        });
      }
      seen.set(lower, name);
    }
  });

export type Webhook = z.output<typeof WebhookSchema>;
export type WebhookInput = z.input<typeof WebhookSchema>;
export type WebhookBody = z.output<typeof WebhookBodySchema>;
export type JsonPair = z.output<typeof JsonPairSchema>;

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `headers.Authorization` or `body.pairs.0.key`. */
  path: string;
  /** The same path as keys, for tools that map it back to a source position. */
  pathKeys: (string | number)[];
  message: string;
}

export class WebhookValidationError extends CodedError {
  constructor(public readonly issues: FieldIssue[]) {
    super('LH_WEBHOOK_INVALID', `invalid webhook: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, {
      fields: issues.map(({ path, message }) => ({ path, message })),
      summary: 'invalid webhook',
    });
    this.name = 'WebhookValidationError';
  }
}

export function issuesFromZod(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const pathKeys = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
    // zod reports a bad record key as "Invalid key in record"; surface the key rule instead.
    const message =
      issue.code === 'invalid_key'
        ? `invalid name "${String(pathKeys.at(-1))}": ${issue.issues.map((i) => i.message).join('; ')}`
        : issue.message;
    return { path: pathKeys.join('.'), pathKeys, message };
  });
}

/** Validate unknown input (API body, parsed file) as a webhook; throws with field paths. */
export function parseWebhook(input: unknown): Webhook {
  const result = WebhookSchema.safeParse(input);
  if (!result.success) throw new WebhookValidationError(issuesFromZod(result.error));
  return result.data;
}

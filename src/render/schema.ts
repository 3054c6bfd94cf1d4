// Validating input as a webhook definition (src/domain/webhook.ts) with the path of each bad field.
import type { z } from 'zod';
import { WebhookSchema, type Webhook } from '../domain/index.js';
import { CodedError } from '../errors/index.js';

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

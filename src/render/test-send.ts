// Test send: render a webhook for one profile and send it once through the dispatcher (SSRF
// guard, signing), returning what came back with secrets redacted. No retries, no delivery log.
import { randomUUID } from 'node:crypto';
import { redactRequestForLog, testSend, type TestSendResult, type WebhookDispatcher } from '../dispatch/index.js';
import type { LiquidhookEngine, CallRecord } from '../liquid/index.js';
import { redactRendering, scrubSecretValues } from './redact-rendering.js';
import type { FieldError } from './render-fields.js';
import { assembleWebhookRequest, type AssembledRequest } from './render-request.js';
import type { Webhook } from '../domain/index.js';

export interface TestSendOptions {
  engine: LiquidhookEngine;
  dispatcher: WebhookDispatcher;
  /** Liquid render context (see buildLiquidContext). */
  context: object;
  /** The secret named by `signing_secret_ref`, resolved by the caller; signs the request when given. */
  signingSecret?: string;
  idempotencyKey?: string;
  /** Known secret values (configured placeholder secrets) to redact wherever they appear. */
  secrets?: readonly string[];
}

export interface TestSendOutcome {
  /** True when the request was sent (whatever the response). */
  sent: boolean;
  aborted?: { reason: string };
  errors: FieldError[];
  warnings: string[];
  connectedContent: CallRecord[];
  /** Key/value pairs of the `message_extras` tags (a test send records no delivery). */
  messageExtras: Record<string, string>;
  /** The response and the redacted request, when sent. */
  result?: TestSendResult;
}

export async function testSendWebhook(webhook: Webhook, options: TestSendOptions): Promise<TestSendOutcome> {
  const rendered = await assembleWebhookRequest(options.engine, webhook, options.context);
  return sendRenderedTest(rendered, options);
}

/** The sending half of a test send, for a request rendered elsewhere (e.g. on a render thread). */
export async function sendRenderedTest(
  rendered: AssembledRequest,
  options: Omit<TestSendOptions, 'engine' | 'context'>,
): Promise<TestSendOutcome> {
  const secrets = [...rendered.secrets, ...(options.secrets ?? []), ...(options.signingSecret ? [options.signingSecret] : [])];
  const shown = redactRendering(rendered, { secrets });
  const base = { errors: shown.errors, warnings: shown.warnings, connectedContent: shown.calls, messageExtras: shown.messageExtras };
  if (shown.aborted) return { ...base, sent: false, aborted: shown.aborted };
  if (rendered.errors.length > 0) return { ...base, sent: false };
  const request = {
    url: rendered.url,
    method: rendered.method,
    headers: rendered.headers,
    body: rendered.body,
    idempotencyKey: options.idempotencyKey ?? `test-${randomUUID()}`,
    ...(options.signingSecret ? { signingSecret: options.signingSecret } : {}),
  };
  const result = await testSend(options.dispatcher, request);
  const scrub = (text: string): string => scrubSecretValues(text, secrets);
  return {
    ...base,
    sent: true,
    result: {
      ...result,
      headers: Object.fromEntries(Object.entries(result.headers).map(([name, value]) => [name, scrub(value)])),
      body: scrub(result.body),
      ...(result.error ? { error: { ...result.error, message: scrub(result.error.message) } } : {}),
      request: redactRequestForLog(request, { secrets }),
    },
  };
}

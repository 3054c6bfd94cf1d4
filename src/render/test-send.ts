// Test send: render a webhook for one profile and send it once through the dispatcher (SSRF
// guard, signing, redaction), returning what came back. No retries, no delivery log.
import { randomUUID } from 'node:crypto';
import { testSend, type TestSendResult, type WebhookDispatcher } from '../dispatch/index.js';
import type { LiquidhookEngine } from '../liquid/index.js';
import { redactText } from '../liquid/redact.js';
import type { CallRecord } from '../liquid/types.js';
import type { FieldError } from './render-fields.js';
import { assembleWebhookRequest } from './render-request.js';
import type { Webhook } from './schema.js';

export interface TestSendOptions {
  engine: LiquidhookEngine;
  dispatcher: WebhookDispatcher;
  /** Liquid render context (see buildLiquidContext). */
  context: object;
  /** The secret named by `signing_secret_ref`, resolved by the caller; signs the request when given. */
  signingSecret?: string;
  idempotencyKey?: string;
}

export interface TestSendOutcome {
  /** True when the request was sent (whatever the response). */
  sent: boolean;
  aborted?: { reason: string };
  errors: FieldError[];
  warnings: string[];
  connectedContent: CallRecord[];
  /** The response and the redacted request, when sent. */
  result?: TestSendResult;
}

export async function testSendWebhook(webhook: Webhook, options: TestSendOptions): Promise<TestSendOutcome> {
  const request = await assembleWebhookRequest(options.engine, webhook, options.context);
  const hide = (text: string): string => redactText(text, request.secrets);
  const base = {
    errors: request.errors.map((e) => ({ ...e, message: hide(e.message) })),
    warnings: request.warnings.map(hide),
    connectedContent: request.calls,
  };
  if (request.aborted) return { ...base, sent: false, aborted: { reason: hide(request.aborted.reason) } };
  if (request.errors.length > 0) return { ...base, sent: false };
  const result = await testSend(options.dispatcher, {
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body,
    idempotencyKey: options.idempotencyKey ?? `test-${randomUUID()}`,
    ...(options.signingSecret ? { signingSecret: options.signingSecret } : {}),
  });
  return { ...base, sent: true, result };
}

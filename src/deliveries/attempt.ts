// Second and third stage of a send: render the resolved send into a request, then make one
// attempt. The same code runs on the send thread and in this one (see send-port.ts).
import { failedAttempt, redactRequestForLog, type AttemptResult, type WebhookRequest } from '../dispatch/index.js';
import { redactText, type LiquidhookEngine } from '../liquid/index.js';
import { WebhookRenderError, redactMessageExtras, renderWebhookRequest } from '../render/index.js';
import type { Attributes, Json } from '../domain/index.js';
import { abortCode, renderFailureCode } from './failure-codes.js';
import type { Attempted, Rendered, ResolvedSend, Stopped } from './send-stages.js';

/** Renders a resolved send: the request, or the template's abort, or why it cannot be sent. Never throws. */
export async function renderSend(engine: LiquidhookEngine, send: ResolvedSend): Promise<Rendered> {
  let rendered;
  try {
    rendered = await renderWebhookRequest(engine, send.webhook, send.context);
  } catch (error) {
    // A template error says so itself ("webhook did not render: …"); anything else is a bug.
    const message = error instanceof WebhookRenderError ? error.message : `render failed: ${messageOf(error)}`;
    return { kind: 'failed', code: renderFailureCode(error), error: redactText(message, send.secrets) };
  }
  const secrets = [...send.secrets, ...rendered.secrets];
  const calls = rendered.calls as unknown as Json[];
  if (rendered.aborted) {
    const code = abortCode(rendered.aborted);
    return { kind: 'aborted', reason: rendered.aborted.reason, ...(code ? { code } : {}), log: { connected_content: calls } };
  }
  if (send.signingSecretRef && !send.signingSecret) {
    return { kind: 'failed', code: 'invalid_request', error: `signing secret ${send.signingSecretRef} is not configured` };
  }
  const request: WebhookRequest = {
    url: rendered.url,
    method: rendered.method,
    headers: rendered.headers,
    body: rendered.body,
    idempotencyKey: send.idempotencyKey,
    ...(send.signingSecret ? { signingSecret: send.signingSecret } : {}),
    // Scrubbed from the response too, should the destination echo them.
    ...(secrets.length > 0 ? { secrets } : {}),
  };
  const messageExtras = redactMessageExtras(rendered.messageExtras, secrets);
  return { kind: 'rendered', request, log: logView(request, calls, rendered.warnings), messageExtras };
}

/** Makes the one attempt of a rendered send; a stop passes through. Never throws. */
export async function attemptRendered(rendered: Rendered, send: (request: WebhookRequest) => Promise<AttemptResult>): Promise<Attempted> {
  if (rendered.kind !== 'rendered') return rendered;
  let result;
  try {
    result = await send(rendered.request);
  } catch (error) {
    // The dispatcher promises not to throw; treat a broken promise as a network failure.
    result = networkFailure(messageOf(error));
  }
  return { kind: 'attempted', log: rendered.log, result, messageExtras: rendered.messageExtras };
}

/** An attempt whose request may or may not have left: the connection broke. */
export function networkFailure(message: string): AttemptResult {
  return failedAttempt(Date.now(), { kind: 'network', message });
}

/** A send stopped because the store could not be read: it waits for the database, nothing sent. */
export function databaseAway(error: unknown): Stopped {
  return { kind: 'deferred', code: 'database_unavailable', error: `database unavailable, nothing sent: ${messageOf(error)}` };
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function logView(request: WebhookRequest, calls: Json[], warnings: string[]): Attributes {
  const view = redactRequestForLog(request);
  return {
    method: view.method,
    url: view.url,
    headers: view.headers,
    body: view.body,
    idempotency_key: view.idempotencyKey,
    signed: view.signed,
    connected_content: calls,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

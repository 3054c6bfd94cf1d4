// Log views of requests and attempts: secrets never leave the process in clear.
import { isSecretHeader, redactHeaders, redactText, redactUrl } from '../liquid/redact.js';
import type { AttemptResult, WebhookRequest } from './types.js';

/** Values the request itself carries as secrets: they are scrubbed wherever they reappear (echoes). */
export function knownSecretsOf(request: Pick<WebhookRequest, 'headers' | 'signingSecret'>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!isSecretHeader(name)) continue;
    secrets.push(value);
    // `Bearer abc` is echoed as `abc` as often as in full.
    const token = /^\s*\S+\s+(\S.*)$/.exec(value)?.[1];
    if (token) secrets.push(token.trim());
  }
  if (request.signingSecret) secrets.push(request.signingSecret, request.signingSecret.replace(/^whsec_/, ''));
  return secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

export interface RequestLogView {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  idempotencyKey: string;
  signed: boolean;
}

/** The request as the delivery log and logs may show it. */
export function redactRequestForLog(request: WebhookRequest, maxBodyChars = 4096): RequestLogView {
  const known = knownSecretsOf(request);
  const body = request.body ?? '';
  const clipped = body.length > maxBodyChars ? `${body.slice(0, maxBodyChars)}…` : body;
  return {
    url: redactText(redactUrl(request.url), known),
    method: request.method ?? 'POST',
    headers: redactHeaders(request.headers ?? {}),
    body: redactText(clipped, known),
    idempotencyKey: request.idempotencyKey,
    signed: Boolean(request.signingSecret),
  };
}

export interface AttemptLogView extends Omit<AttemptResult, 'headers'> {
  request: RequestLogView;
  responseHeaders: Record<string, string>;
  attempt?: number;
}

/** One attempt as a log line / delivery-log row (AttemptResult is already redacted; the request is redacted here). */
export function redactAttemptForLog(request: WebhookRequest, result: AttemptResult, attempt?: number): AttemptLogView {
  const { headers, ...rest } = result;
  const known = knownSecretsOf(request);
  return {
    ...rest,
    ...(rest.error ? { error: { ...rest.error, message: redactText(rest.error.message, known) } } : {}),
    responseHeaders: headers,
    request: redactRequestForLog(request),
    ...(attempt !== undefined ? { attempt } : {}),
  };
}

/**
 * pino `redact` paths for the service logger: credentials in headers, signing secrets and raw
 * request bodies wherever a log call may carry them.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  ...['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token', 'x-access-token', 'webhook-signature'].flatMap(
    (h) => [`headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`],
  ),
  'signingSecret',
  '*.signingSecret',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'token',
  '*.token',
  'client_secret',
  '*.client_secret',
  'request.body',
  'req.body',
  '*.request.body',
];

/** Ready-made pino option: `pino({ redact: pinoRedactConfig })`. */
export const pinoRedactConfig = { paths: [...LOG_REDACT_PATHS], censor: '[REDACTED]' };

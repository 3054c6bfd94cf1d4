// Log views of requests and attempts: secrets never leave the process in clear.
import { REDACTED, isSecretHeader, isSecretKey, redactHeaders, redactText, redactUrl } from '../liquid/index.js';
import type { AttemptResult, WebhookRequest } from './types.js';

/** Values the request itself carries as secrets: they are scrubbed wherever they reappear (echoes). */
export function knownSecretsOf(request: Partial<Pick<RedactableRequest, 'url' | 'body' | 'headers' | 'signingSecret' | 'secrets'>>): string[] {
  const secrets: string[] = [...(request.secrets ?? []), ...secretValuesIn(request.body ?? ''), ...secretValuesIn(queryOf(request.url))];
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

/** Values of secret-named form pairs (`client_secret=…`) and JSON keys (`"token": "…"`) in a text. */
function secretValuesIn(text: string): string[] {
  const out: string[] = [];
  // Each pattern needs its '=' or '"': most bodies and queries skip one scan or both.
  // Form values end where redactFormBody's do: a form pair inside JSON text stops at the quote.
  if (text.includes('=')) {
    for (const m of text.matchAll(/(?:^|[&?\s])([^=&\s"']+)=([^&\s"',;}]+)/g)) {
      if (isSecretKey(decodeSafe(m[1]!))) out.push(m[2]!, decodeSafe(m[2]!));
    }
  }
  if (text.includes('"')) {
    for (const m of text.matchAll(/"([^"\\]{1,100})"\s*:\s*"((?:[^"\\]|\\.)+)"/g)) {
      if (isSecretKey(m[1]!)) out.push(m[2]!);
    }
  }
  return out;
}

function queryOf(url: string | undefined): string {
  const at = url?.indexOf('?') ?? -1;
  return at >= 0 ? url!.slice(at + 1) : '';
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** A request as any caller may hold it; only the URL is required. */
export interface RedactableRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signingSecret?: string;
  /** Secret values the request carries without naming them (tokens the render saved). */
  secrets?: readonly string[];
}

export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface RedactionOptions {
  /** Secret values the request does not show as such: tokens the render saved, configured secrets. */
  secrets?: Iterable<string>;
  /** Longer bodies are clipped (the delivery log keeps 4 KiB). */
  maxBodyChars?: number;
}

/**
 * Each secret as it may stand in text: as given, escaped inside a JSON string and URL-encoded.
 * Values under 4 characters are left alone (they would blank out ordinary text); longest first,
 * so a secret that contains another is hidden whole.
 */
export function secretForms(secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 4) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * The one redaction of a rendered request, for every place that shows one (preview, test send,
 * dry run, the delivery log, log lines): secret-named headers, query parameters, form pairs and
 * JSON keys by name; the request's own credentials and `options.secrets` by value, wherever
 * they reappear.
 */
export function redactRequest(request: RedactableRequest, options: RedactionOptions = {}): RedactedRequest {
  const known = secretForms([...knownSecretsOf(request), ...(options.secrets ?? [])]);
  const body = request.body ?? '';
  const max = options.maxBodyChars;
  const clipped = max !== undefined && body.length > max ? `${body.slice(0, max)}…` : body;
  const headers = redactHeaders(request.headers ?? {});
  for (const [name, value] of Object.entries(headers)) headers[name] = redactText(value, known);
  return {
    method: request.method ?? 'POST',
    url: redactText(redactUrl(request.url), known),
    headers,
    body: redactText(clipped, known),
  };
}

export interface RequestLogView extends RedactedRequest {
  idempotencyKey: string;
  signed: boolean;
}

/** The request as the delivery log and logs show it (bodies clipped to 4 KiB unless told otherwise). */
export function redactRequestForLog(request: WebhookRequest, options: RedactionOptions = {}): RequestLogView {
  return {
    ...redactRequest(request, { maxBodyChars: 4096, ...options }),
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
  return {
    ...rest,
    // Only an error message needs the request's secrets here; redactRequestForLog finds its own.
    ...(rest.error ? { error: { ...rest.error, message: redactText(rest.error.message, knownSecretsOf(request)) } } : {}),
    responseHeaders: headers,
    request: redactRequestForLog(request),
    ...(attempt !== undefined ? { attempt } : {}),
  };
}

/** Header names that carry credentials. */
export const SECRET_HEADER_NAMES = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'webhook-signature',
];
// Log paths are case-sensitive; rendered templates write `Authorization`, Node writes `authorization`.
const titleCase = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
const headerNameVariants = SECRET_HEADER_NAMES.flatMap((h) => [h, titleCase(h)]);

/** Log fields whose value is a credential wherever they appear. */
export const SECRET_LOG_FIELDS = ['signingSecret', 'secret', 'password', 'token', 'client_secret', 'access_token', 'refresh_token', 'apiKey'];

/**
 * pino `redact` paths for the service logger: credentials in headers (any object at depth <= 2
 * with a `headers` field), signing secrets, raw request bodies and URLs wherever a log call may carry them.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  ...headerNameVariants.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`]),
  ...SECRET_LOG_FIELDS.flatMap((k) => [k, `*.${k}`]),
  ...['body', 'url'].flatMap((k) => [`request.${k}`, `req.${k}`, `*.request.${k}`]),
];

/** Keeps log lines useful: URLs and bodies are redacted by name, headers keep their scheme. */
export function censorForLog(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  if (typeof value !== 'string') return REDACTED;
  if (key === 'url') return redactUrl(value);
  if (key === 'body') return redactText(value);
  if (isSecretHeader(key)) return redactHeaders({ [key]: value })[key];
  return REDACTED;
}

/** Ready-made pino option: `pino({ redact: pinoRedactConfig })`. */
export const pinoRedactConfig = { paths: [...LOG_REDACT_PATHS], censor: censorForLog };

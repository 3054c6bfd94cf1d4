// Preview: render a webhook for a sample profile and show the request it would send, with
// secrets redacted. Nothing is sent except connected_content calls in "live" mode.
import type { Dispatcher } from 'undici';
import {
  createUndiciFetcher,
  createLiquid,
  REDACTED,
  type LiquidhookEngine,
  type LiquidhookOptions,
  type CallRecord,
  type ConnectedContentFetcher,
  type ConnectedContentResponse,
  type Credential,
} from '../liquid/index.js';
import { guardedAgentFor } from './library-engine.js';
import type { FieldError } from './render-fields.js';
import { redactRendering } from './redact-rendering.js';
import { assembleWebhookRequest } from './render-request.js';
import type { HttpMethod, Webhook } from '../domain/index.js';

/** A recorded connected_content answer: a body (text or JSON value) or a full response. */
export type RecordedResponse = string | { status?: number; headers?: Record<string, string>; body: unknown };

/** `url` (or `"POST url"`) -> response. */
export type RecordedResponses = Record<string, RecordedResponse>;

export const STUB_RESPONSE_BODY = '{"access_token":"stub-token","token_type":"Bearer"}';

export interface PreviewOptions {
  /** Liquid render context, e.g. `{ user_id, custom_attribute: {...} }` (see buildLiquidContext). */
  attributes?: object;
  /** "stub" (default) answers every call with STUB_RESPONSE_BODY; "live" calls out; a map replays recorded answers. */
  connectedContent?: 'live' | 'stub' | RecordedResponses;
  /** Engine used in live mode (its limits are kept in the other modes). */
  engine?: LiquidhookEngine;
  /** Named credentials for `:basic_auth` / `:auth_credentials`. */
  credentials?: Record<string, Credential>;
  /** Blocks for `{{content_blocks.${name}}}` (default: those of `engine`). */
  contentBlocks?: LiquidhookOptions['contentBlocks'];
  /** undici dispatcher for live calls; defaults to the SSRF-guarded agent. */
  dispatcher?: Dispatcher;
  /**
   * Live calls without a `dispatcher`: destinations the SSRF guard lets through anyway
   * (LIQUIDHOOK_ALLOWED_HOSTS syntax: hostnames, IPs, CIDR ranges, comma-separated).
   */
  allowedHosts?: string;
  /** Known secret values (e.g. configured placeholder secrets) to redact wherever they appear. */
  secrets?: readonly string[];
  /** Show secrets in clear (for an operator debugging their own credentials). */
  revealSecrets?: boolean;
}

export interface WebhookPreview {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string;
  connectedContent: CallRecord[];
  aborted?: { reason: string };
  warnings: string[];
  errors: FieldError[];
  /** Key/value pairs of the `message_extras` tags: what a send would record. */
  messageExtras: Record<string, string>;
}

export async function previewWebhook(webhook: Webhook, options: PreviewOptions = {}): Promise<WebhookPreview> {
  const mode = options.connectedContent ?? 'stub';
  const seen = new Set<string>(options.secrets ?? []);
  const engine = engineFor(mode, options, seen);
  const contentBlocks = options.contentBlocks ?? options.engine?.contentBlocks;
  const request = await assembleWebhookRequest(engine, webhook, options.attributes ?? {}, contentBlocks ? { contentBlocks } : undefined);
  if (options.revealSecrets) {
    const { calls, secrets: _secrets, ...shown } = request;
    return { ...shown, connectedContent: calls };
  }
  const redacted = redactRendering(request, { secrets: seen });
  return {
    ...redacted.request,
    method: request.method,
    connectedContent: redacted.calls,
    ...(redacted.aborted ? { aborted: redacted.aborted } : {}),
    warnings: redacted.warnings,
    errors: redacted.errors,
    messageExtras: redacted.messageExtras,
  };
}

function engineFor(mode: NonNullable<PreviewOptions['connectedContent']>, options: PreviewOptions, seen: Set<string>): LiquidhookEngine {
  if (mode === 'live' && options.engine) return options.engine;
  let fetcher: ConnectedContentFetcher;
  if (mode === 'live') {
    fetcher = createUndiciFetcher(options.dispatcher ?? guardedAgentFor(options.allowedHosts));
  } else if (mode === 'stub') {
    fetcher = stubFetcher;
  } else {
    fetcher = recordedFetcher(mode);
  }
  return createLiquid({
    ...(options.engine ? { limits: options.engine.limits } : {}),
    connectedContent: {
      fetcher: collectingTokens(fetcher, seen),
      // Stub and recorded answers never leave the process: their call records say so.
      ...(mode === 'live' ? {} : { stubbed: true }),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // A preview must show this render's calls, not answers cached by an earlier one.
      cacheEntries: 1,
    },
  });
}

/** Answers every connected_content call with STUB_RESPONSE_BODY. */
export const stubFetcher: ConnectedContentFetcher = async () => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: STUB_RESPONSE_BODY,
});

/** Answers from recorded answers by `"METHOD URL"` or URL; anything else gets a 404. */
export function recordedFetcher(recorded: RecordedResponses): ConnectedContentFetcher {
  return async (req) => {
    const entry = recorded[`${req.method} ${req.url}`] ?? recorded[req.url];
    if (entry === undefined) {
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'no recorded response for this URL' };
    }
    if (typeof entry === 'string') return { status: 200, headers: {}, body: entry };
    const body = typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body);
    return { status: entry.status ?? 200, headers: entry.headers ?? {}, body };
  };
}

const TOKEN_KEY = /(token|secret|password|passwd|api[_-]?key|apikey|assertion)$/i;

/** Remember token-like values of JSON answers so the preview can redact them wherever they end up. */
function collectingTokens(fetcher: ConnectedContentFetcher, seen: Set<string>): ConnectedContentFetcher {
  return async (req) => {
    const response: ConnectedContentResponse = await fetcher(req);
    try {
      collect(JSON.parse(response.body), seen, 0);
    } catch {
      // not JSON: nothing to learn
    }
    return response;
  };
}

function collect(node: unknown, seen: Set<string>, depth: number): void {
  if (depth > 8 || typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string' && TOKEN_KEY.test(key) && value.length >= 4) seen.add(value);
    else collect(value, seen, depth + 1);
  }
}

export { REDACTED };

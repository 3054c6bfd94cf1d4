// One webhook attempt over undici: SSRF-guarded per-host pools, a per-host gate (adaptive FIFO
// concurrency limit and circuit breaker), connect and total timeouts, no redirects. `send` never
// throws for HTTP or network failures: every outcome is an AttemptResult.
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { redactHeaders, redactText } from '../liquid/index.js';
import { parseAllowedHosts } from './allowlist.js';
import type { AllowList } from './allowlist.js';
import { CircuitBreakerConfigSchema } from './circuit-breaker.js';
import type { BreakerState } from './circuit-breaker.js';
import { classifyRequestError } from './classify-error.js';
import { HostGate } from './host-gate.js';
import { knownSecretsOf, redactAttemptForLog } from './redaction.js';
import { retryHintMs } from './retry-hints.js';
import { SigningSecretError, decodeSigningSecret, standardWebhookHeaders } from './signing.js';
import { createGuardedAgent } from './ssrf.js';
import type { LookupFunction } from './ssrf.js';
import { WebhookRequestSchema } from './types.js';
import type { AttemptError, AttemptResult, ParsedWebhookRequest, WebhookRequest } from './types.js';
import { exchange } from './http-exchange.js';

export const DispatcherConfigSchema = z.object({
  /** LIQUIDHOOK_ALLOWED_HOSTS syntax: destinations exempt from the SSRF guard. */
  allowedHosts: z.string().default(''),
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** Whole attempt, connect to last body byte; Braze allows webhooks 90 s. */
  timeoutMs: z.number().int().positive().default(90_000),
  /** Most requests in flight per host (429s lower it for a while); more wait in FIFO order. */
  maxConcurrencyPerHost: z.number().int().positive().default(16),
  /** Response bytes kept in AttemptResult.responseBody. */
  responseBodyBytes: z.number().int().nonnegative().default(4096),
  keepAliveTimeoutMs: z.number().int().positive().default(4_000),
  userAgent: z.string().default('liquidhook-webhooks/0.1'),
  breaker: CircuitBreakerConfigSchema.default(CircuitBreakerConfigSchema.parse({})),
});
export type DispatcherConfig = z.output<typeof DispatcherConfigSchema>;

/** Minimal logger surface (pino-compatible). */
export interface AttemptLogger {
  info(obj: object, msg?: string): void;
}

export interface DispatcherOptions extends z.input<typeof DispatcherConfigSchema> {
  /** Clock (epoch ms) for signatures, Retry-After dates and the breaker. */
  now?: () => number;
  /** Replaces the SSRF-guarded agent (e.g. undici MockAgent in tests); the guard is then bypassed. */
  agent?: Dispatcher;
  /** DNS resolution used by the guarded agent; every answer is still validated. */
  lookup?: LookupFunction;
  /** Receives one redacted line per attempt. */
  logger?: AttemptLogger;
}

export interface SendOptions {
  /** Response bytes to keep (default: config.responseBodyBytes). */
  responseBodyBytes?: number;
  /** 'full' (default) redacts by name and by value; 'known-secrets' only scrubs the request's own secrets. */
  redaction?: 'full' | 'known-secrets';
  /** false: the result's headers stay empty (a caller that only stores the attempt never reads them). */
  responseHeaders?: boolean;
}

export interface WebhookDispatcher {
  send(request: WebhookRequest, options?: SendOptions): Promise<AttemptResult>;
  /** Breaker state of an origin such as `https://example.com`. */
  breakerState(origin: string): BreakerState;
  /** In-flight and queued requests of an origin. */
  load(origin: string): { active: number; waiting: number };
  readonly config: DispatcherConfig;
  readonly allowList: AllowList;
  close(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions = {}): WebhookDispatcher {
  const { now = Date.now, agent: injected, lookup, logger, ...raw } = options;
  const config = DispatcherConfigSchema.parse(raw);
  const allowList = parseAllowedHosts(config.allowedHosts);
  const agent: Dispatcher =
    injected ??
    createGuardedAgent({
      allowedHosts: allowList,
      connectTimeoutMs: config.connectTimeoutMs,
      connections: config.maxConcurrencyPerHost,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      ...(lookup ? { lookup } : {}),
    });
  const gate = new HostGate(config.maxConcurrencyPerHost, config.breaker, now);

  async function send(input: WebhookRequest, sendOptions: SendOptions = {}): Promise<AttemptResult> {
    const parsed = WebhookRequestSchema.safeParse(input);
    if (!parsed.success) {
      return finish(input, failedAttempt(now(), { kind: 'invalid_request', message: z.prettifyError(parsed.error) }));
    }
    const request = parsed.data;
    // Parsed once: the gate keys on its origin and the exchange sends to it.
    const url = new URL(request.url);
    const origin = url.origin;
    try {
      if (request.signingSecret) decodeSigningSecret(request.signingSecret);
    } catch (err) {
      if (!(err instanceof SigningSecretError)) throw err;
      return finish(input, failedAttempt(now(), { kind: 'invalid_request', message: err.message }));
    }

    const pass = await gate.acquire(origin);
    if (pass.kind === 'held') {
      const result = failedAttempt(now(), { kind: 'circuit_open', message: `circuit open for ${origin}` });
      return finish(input, { ...result, retryAfterMs: pass.retryAfterMs });
    }
    let result: AttemptResult | undefined;
    try {
      // Signed after any wait for a slot, so the timestamp is fresh when the request leaves.
      const headers = buildHeaders(request, config.userAgent, now());
      result = await attempt(request, url, headers, sendOptions);
    } finally {
      // A throw here is a bug, not news about the host: it frees the slot and judges nothing.
      pass.done(result ?? { startedAt: now(), error: { kind: 'invalid_request', message: 'not sent' } });
    }
    // The host is down: its next chance is the breaker's next probe, whatever the backoff says.
    const circuitOpenForMs = result.ok ? undefined : gate.heldFor(origin);
    return finish(input, circuitOpenForMs === undefined ? result : { ...result, circuitOpenForMs });
  }

  async function attempt(request: ParsedWebhookRequest, url: URL, headers: Record<string, string>, sendOptions: SendOptions): Promise<AttemptResult> {
    const startedAt = now();
    const t0 = performance.now();
    const known = knownSecretsOf(request);
    const fullRedaction = sendOptions.redaction !== 'known-secrets';
    try {
      const response = await exchange(
        agent,
        { url, method: request.method, headers, ...(request.method === 'GET' || request.body === '' ? {} : { body: request.body }) },
        { timeoutMs: config.timeoutMs, cap: sendOptions.responseBodyBytes ?? config.responseBodyBytes },
      );
      const hint = retryHintMs(response.headers, now());
      return {
        ok: response.statusCode >= 200 && response.statusCode < 300,
        status: response.statusCode,
        headers: sendOptions.responseHeaders === false ? {} : fullRedaction ? redactHeaders(response.headers) : scrubKnownInHeaders(response.headers, known),
        responseBody: fullRedaction ? redactText(response.body, known) : scrubKnown(response.body, known),
        responseTruncated: response.truncated,
        latencyMs: Math.round(performance.now() - t0),
        startedAt,
        ...(hint !== undefined ? { retryAfterMs: hint } : {}),
      };
    } catch (err) {
      const error = classifyRequestError(err);
      return { ...failedAttempt(startedAt, { ...error, message: redactText(error.message, known) }), latencyMs: Math.round(performance.now() - t0) };
    }
  }

  function finish(request: WebhookRequest, result: AttemptResult): AttemptResult {
    if (logger) {
      try {
        logger.info({ webhookAttempt: redactAttemptForLog(request, result) }, 'webhook attempt');
      } catch {
        // A malformed request must not turn a result into a throw; the result still says what happened.
      }
    }
    return result;
  }

  return {
    send,
    breakerState: (origin) => gate.breakerState(origin),
    load: (origin) => {
      const { active, waiting } = gate.load(origin);
      return { active, waiting };
    },
    config,
    allowList,
    close: async () => {
      if (!injected) await agent.close();
    },
  };
}

function buildHeaders(request: ParsedWebhookRequest, userAgent: string, nowMs: number): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': userAgent };
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  headers['idempotency-key'] = request.idempotencyKey;
  if (request.signingSecret) {
    Object.assign(headers, standardWebhookHeaders(request.signingSecret, request.idempotencyKey, nowMs, request.body));
  }
  return headers;
}

/** An attempt that got no response: the network was not used, or failed as `error` says. */
export function failedAttempt(startedAt: number, error: AttemptError): AttemptResult {
  return { ok: false, headers: {}, responseBody: '', responseTruncated: false, latencyMs: 0, startedAt, error };
}

function scrubKnownInHeaders(headers: Record<string, string>, known: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, scrubKnown(value, known)]));
}

function scrubKnown(text: string, known: string[]): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('[REDACTED]');
  return out;
}

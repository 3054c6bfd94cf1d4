// Executes rendered connected_content calls for one engine: credentials, cache, single-flight,
// retries, call records and known secrets.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { isSecretKey, redactText, redactUrl } from '../redact.js';
import { AbortMessage, type RenderState } from '../render-state.js';
import type { CallRecord, ConnectedContentFetcher, ConnectedContentOptions, ConnectedContentResponse, Credential } from '../types.js';
import { isFinalFailure, performCall, type CallOutcome } from './call.js';
import { SingleFlight, TtlLruCache } from './cache.js';
import { createUndiciFetcher, defaultUserAgent } from './fetcher.js';
import { buildRequest, cacheKey, cacheSeconds, type RenderedCall, type RequestLimits } from './request.js';
import { formSecretValues, interpretResponse, tokenValues, type Interpretation } from './response.js';

export const DEFAULTS = {
  timeoutMs: 2_000,
  maxResponseBytes: 1024 * 1024,
  defaultGetCacheSeconds: 300,
  cacheEntries: 1_000,
  retryBaseDelayMs: 250,
} as const;

/** Seams for tests: a clock for cache lifetimes and a sleep for retry backoff. */
export interface RuntimeDeps {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface CallFlags {
  save?: string;
  retry: boolean;
  noCache: boolean;
  cacheMaxAge?: number;
}

export type AuthRef = { kind: 'basic_auth' | 'auth_credentials'; name: string };

export class ConnectedContentRuntime {
  readonly cache: TtlLruCache<ConnectedContentResponse>;
  private readonly flights = new SingleFlight<CallOutcome>();
  private readonly fetcher: ConnectedContentFetcher;
  private readonly limits: RequestLimits;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly bodySecretsSeen = new Map<string, string[]>();

  constructor(
    private readonly options: ConnectedContentOptions = {},
    deps: RuntimeDeps = {},
  ) {
    this.fetcher = options.fetcher ?? createUndiciFetcher(options.dispatcher);
    this.limits = {
      userAgent: options.userAgent ?? defaultUserAgent(),
      timeoutMs: positive(options.timeoutMs, DEFAULTS.timeoutMs, 'timeoutMs'),
      maxBytes: positive(options.maxResponseBytes, DEFAULTS.maxResponseBytes, 'maxResponseBytes'),
    };
    this.cache = new TtlLruCache(options.cacheEntries ?? DEFAULTS.cacheEntries, deps.now);
    this.sleep = deps.sleep ?? ((ms) => delay(ms));
  }

  /** Credentials come only from the engine's options; a missing one aborts the message, as in Braze. */
  resolveCredential(ref: AuthRef): Credential {
    const credentials = this.options.credentials ?? {};
    const credential = Object.hasOwn(credentials, ref.name) ? credentials[ref.name] : undefined;
    if (!credential) {
      const known = Object.keys(credentials);
      const hint = known.length ? `configured: ${known.join(', ')}` : 'no credentials are configured';
      throw new AbortMessage(`connected_content: unknown credential "${ref.name}" for :${ref.kind} (${hint})`, 'connected_content');
    }
    return credential;
  }

  async execute(call: RenderedCall, flags: CallFlags, state: RenderState): Promise<Interpretation> {
    const secrets = (state.secrets ??= new Set<string>());
    const req = buildRequest(call, this.limits);
    for (const value of knownCredentialValues(call)) secrets.add(value);
    if (req.body !== undefined) for (const value of this.bodySecrets(req.body)) secrets.add(value);

    const started = performance.now();
    const { outcome, cached } = await this.fetchThroughCache(req, flags, call.method);
    const ms = cached ? 0 : Math.round(performance.now() - started);
    const status = outcome.response?.status;
    const error = outcome.failure ? redactText(outcome.failure.message, secrets) : undefined;
    const url = redactText(redactUrl(call.url), secrets);
    const record: CallRecord = {
      url,
      method: call.method,
      ...(status !== undefined ? { status } : {}),
      ms,
      cached,
      ...(flags.save ? { saveAs: flags.save } : {}),
      attempts: cached ? 0 : outcome.attempts,
      ...(error ? { error } : {}),
      ...(this.options.stubbed ? { stubbed: true as const } : {}),
    };
    state.calls.push(record);

    const problem = error ?? (status !== undefined && (status < 200 || status >= 300) ? `HTTP ${status}` : undefined);
    if (flags.retry && isFinalFailure(outcome)) {
      const tries = `${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}`;
      throw new AbortMessage(`connected_content ${call.method} ${url} failed after ${tries}: ${problem}`, 'connected_content');
    }
    if (problem) state.warnings.push(`connected_content ${call.method} ${url}: ${problem}`);

    const result = interpretResponse(outcome.failure ? undefined : outcome.response, flags.save);
    for (const value of tokenValues(result.value)) secrets.add(value);
    return result;
  }

  /** The same request body comes back render after render (a token request): decoded once. */
  private bodySecrets(body: string): string[] {
    let found = this.bodySecretsSeen.get(body);
    if (!found) {
      if (this.bodySecretsSeen.size >= BODY_SECRETS_REMEMBERED) this.bodySecretsSeen.clear();
      this.bodySecretsSeen.set(body, (found = formSecretValues(body, isSecretKey)));
    }
    return found;
  }

  private fetchThroughCache(
    req: ReturnType<typeof buildRequest>,
    flags: CallFlags,
    method: 'GET' | 'POST',
  ): Promise<{ outcome: CallOutcome; cached: boolean }> {
    const policy = { retry: flags.retry, baseDelayMs: this.options.retryBaseDelayMs ?? DEFAULTS.retryBaseDelayMs, sleep: this.sleep };
    const ttlSeconds = cacheSeconds(method, flags, this.options.defaultGetCacheSeconds ?? DEFAULTS.defaultGetCacheSeconds);
    if (ttlSeconds <= 0) return performCall(this.fetcher, req, policy).then((outcome) => ({ outcome, cached: false }));

    const key = cacheKey(req);
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve({ outcome: { response: hit, attempts: 0 }, cached: true });
    return this.flights
      .run(key, async () => {
        const outcome = await performCall(this.fetcher, req, policy);
        const status = outcome.response?.status ?? 0;
        // Only successful responses are reused; failures are retried by the next render.
        if (status >= 200 && status < 300) this.cache.set(key, outcome.response!, ttlSeconds * 1000);
        return outcome;
      })
      .then(({ value, shared }) => ({ outcome: value, cached: shared }));
  }
}

/** Distinct request bodies whose secret values are remembered (a handful per campaign). */
const BODY_SECRETS_REMEMBERED = 256;

function knownCredentialValues(call: RenderedCall): string[] {
  const credential = call.auth?.credential;
  if (!credential) return [];
  const values = [credential.password, credential.token];
  if (credential.username !== undefined && credential.password !== undefined) {
    values.push(Buffer.from(`${credential.username}:${credential.password}`).toString('base64'));
  }
  return values.filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`connected_content: ${name} must be a positive number`);
  return value;
}

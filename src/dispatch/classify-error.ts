// Map a thrown request error (undici, node:net, DNS, SSRF guard) to an AttemptError.
import { SsrfBlockedError } from './ssrf.js';
import type { AttemptError } from './types.js';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export class AttemptTimeoutError extends Error {
  readonly code = 'ERR_ATTEMPT_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'AttemptTimeoutError';
  }
}

export function classifyRequestError(err: unknown): AttemptError {
  const chain = causes(err);
  const ssrf = chain.find((e): e is SsrfBlockedError => e instanceof SsrfBlockedError);
  if (ssrf) return { kind: 'ssrf_blocked', message: ssrf.message, code: ssrf.code };
  const timeout = chain.find((e) => e instanceof AttemptTimeoutError);
  if (timeout) return { kind: 'timeout', message: timeout.message, code: 'ERR_ATTEMPT_TIMEOUT' };

  // AggregateError (happy-eyeballs) carries the per-address errors; the first code decides.
  const withCode = chain.find((e) => typeof codeOf(e) === 'string');
  const code = withCode ? codeOf(withCode) : undefined;
  const message = describe(chain);
  if (code && TIMEOUT_CODES.has(code)) return { kind: 'timeout', message, code };
  if (code && UNREACHABLE_CODES.has(code)) return { kind: 'connection', message, code };
  return { kind: 'network', message, ...(code ? { code } : {}) };
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  const queue = [err];
  while (queue.length && out.length < 20) {
    const e = queue.shift();
    if (e === undefined || e === null || out.includes(e)) continue;
    out.push(e);
    if (e instanceof AggregateError) queue.push(...e.errors);
    if (e instanceof Error && 'cause' in e) queue.push(e.cause);
  }
  return out;
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(chain: unknown[]): string {
  const parts: string[] = [];
  for (const e of chain) {
    const text = e instanceof Error ? e.message || e.name : String(e);
    if (text && !parts.includes(text)) parts.push(text);
  }
  return parts.join(': ') || 'request failed';
}

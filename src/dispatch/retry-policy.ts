// When to try a webhook again. Pure functions: time, randomness and the attempt outcome are inputs.
// Rules follow Braze: 2xx delivered; 408, 429 and 5xx retried with exponential backoff for about
// 30 minutes; 3xx (not followed) and other 4xx never retried; 90 s per attempt (see dispatcher).
// The schedule starts like Svix's (a first retry within 5 s): most failures of a host that
// answers at all are transient, and a send that waits half a minute for its first retry stalls
// the campaign behind it.
import { z } from 'zod';
import type { AttemptOutcome } from './types.js';

const ms = () => z.number().int().nonnegative();

export const RetryPolicySchema = z
  .object({
    /** Nominal delay before the first retry; doubles per attempt. */
    baseDelayMs: ms().default(5_000),
    /** Cap of any single backoff delay. */
    maxDelayMs: ms().default(10 * 60_000),
    /** Floor of any delay, including `Retry-After: 0`, so a failing host is never hammered. */
    minDelayMs: ms().default(1_000),
    /**
     * Random share of each delay: it is uniform in [(1 - jitter) × nominal, nominal], so retries
     * of a burst spread out yet none comes later than its nominal time.
     */
    jitter: z.number().min(0).max(1).default(0.5),
    /** Give up this long after the first attempt (HTTP errors, timeouts, broken connections). */
    giveUpAfterMs: ms().default(30 * 60_000),
    /** Longer window when the host cannot be reached at all (refused, DNS, connect timeout). */
    unreachableGiveUpAfterMs: ms().default(24 * 60 * 60_000),
    /** Optional cap on the number of attempts, on top of the time windows. */
    maxAttempts: z.number().int().positive().optional(),
  })
  .refine((p) => p.minDelayMs <= p.maxDelayMs, 'minDelayMs must not exceed maxDelayMs');
export type RetryPolicy = z.output<typeof RetryPolicySchema>;
export type RetryPolicyInput = z.input<typeof RetryPolicySchema>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = RetryPolicySchema.parse({});

export type OutcomeClass = 'success' | 'retryable' | 'unreachable' | 'permanent' | 'deferred';

export interface Classification {
  class: OutcomeClass;
  reason: string;
}

/** What kind of outcome an attempt had, with a human-readable reason for the delivery log. */
export function classifyOutcome(outcome: AttemptOutcome): Classification {
  const { error, status } = outcome;
  if (error) {
    const reason = `${error.kind}: ${error.message}`;
    switch (error.kind) {
      case 'connection':
        return { class: 'unreachable', reason };
      case 'timeout':
      case 'network':
        return { class: 'retryable', reason };
      case 'circuit_open':
        return { class: 'deferred', reason };
      case 'ssrf_blocked':
      case 'invalid_request':
        return { class: 'permanent', reason };
    }
  }
  if (status === undefined) return { class: 'permanent', reason: 'no response and no error recorded' };
  if (status >= 200 && status < 300) return { class: 'success', reason: `HTTP ${status}` };
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) {
    return { class: 'retryable', reason: `HTTP ${status}` };
  }
  if (status >= 300 && status < 400) return { class: 'permanent', reason: `HTTP ${status} (redirects are not followed)` };
  return { class: 'permanent', reason: `HTTP ${status}` };
}

/**
 * Exponential backoff with bounded jitter: nominal = min(maxDelay, base * 2^(attempt-1)); the delay
 * is uniform in [(1 - jitter) * nominal, nominal], never under minDelay.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, rng: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 52));
  const r = Math.min(Math.max(rng(), 0), 1);
  const delay = nominal * (1 - policy.jitter * (1 - r));
  return Math.max(policy.minDelayMs, Math.round(delay));
}

export interface AttemptContext {
  /** Number of real attempts made so far, including the one whose outcome is given (1-based). */
  attempt: number;
  /** Epoch ms of the first attempt of this delivery. */
  firstAttemptAt: number;
  /** Epoch ms now. */
  now: number;
  outcome: AttemptOutcome;
  /** Uniform [0,1) source for jitter; Math.random by default. */
  rng?: () => number;
}

export type DecisionAction = 'done' | 'retry' | 'dead' | 'failed';

export interface Decision {
  action: DecisionAction;
  /** With `retry`: wait this long before the next attempt. */
  delayMs?: number;
  /** With `retry`: epoch ms of the next attempt (now + delayMs). */
  retryAt?: number;
  reason: string;
  /** False when the outcome did not use the network (circuit open): do not count it as an attempt. */
  countsAsAttempt: boolean;
}

/**
 * Decide what follows an attempt. `failed` = not retryable (4xx, 3xx, blocked address);
 * `dead` = retryable but the give-up window or attempt cap is exhausted (reason = last failure).
 */
export function decideNextAttempt(policy: RetryPolicy, ctx: AttemptContext): Decision {
  const { now, firstAttemptAt, attempt, outcome } = ctx;
  const { class: kind, reason } = classifyOutcome(outcome);
  if (kind === 'success') return { action: 'done', reason, countsAsAttempt: true };
  if (kind === 'permanent') return { action: 'failed', reason, countsAsAttempt: true };

  if (kind === 'deferred') {
    // The breaker delays sends, it never drops them; only the longest window ends the wait.
    if (now >= firstAttemptAt + policy.unreachableGiveUpAfterMs) {
      return { action: 'dead', reason: `gave up: ${reason}`, countsAsAttempt: false };
    }
    const delayMs = Math.max(outcome.retryAfterMs ?? 0, policy.minDelayMs);
    return { action: 'retry', delayMs, retryAt: now + delayMs, reason, countsAsAttempt: false };
  }

  const window = kind === 'unreachable' ? policy.unreachableGiveUpAfterMs : policy.giveUpAfterMs;
  const deadline = firstAttemptAt + window;
  if (policy.maxAttempts !== undefined && attempt >= policy.maxAttempts) {
    return { action: 'dead', reason: `gave up after ${attempt} attempts: ${reason}`, countsAsAttempt: true };
  }
  if (now >= deadline) {
    return { action: 'dead', reason: `gave up after ${formatDuration(now - firstAttemptAt)}: ${reason}`, countsAsAttempt: true };
  }
  const hint = outcome.retryAfterMs;
  if (hint !== undefined) {
    const delayMs = Math.max(hint, policy.minDelayMs);
    if (now + delayMs > deadline) {
      return {
        action: 'dead',
        reason: `gave up: server asked to wait ${formatDuration(delayMs)}, beyond the retry window: ${reason}`,
        countsAsAttempt: true,
      };
    }
    return { action: 'retry', delayMs, retryAt: now + delayMs, reason, countsAsAttempt: true };
  }
  // A host whose circuit is open gets its next chance when the breaker probes it: sooner than a
  // long backoff (the send is there when the host is back), and never earlier (it would be held).
  const wait = outcome.circuitOpenForMs === undefined ? backoffDelayMs(policy, attempt, ctx.rng) : Math.max(outcome.circuitOpenForMs, policy.minDelayMs);
  // Never schedule past the deadline: the last attempt lands on it.
  const delayMs = Math.min(wait, deadline - now);
  return { action: 'retry', delayMs, retryAt: now + delayMs, reason, countsAsAttempt: true };
}

function formatDuration(msValue: number): string {
  if (msValue < 1000) return `${msValue} ms`;
  const s = Math.round(msValue / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

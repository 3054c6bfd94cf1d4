// Per-host circuit breaker as a pure state machine: every transition takes `now` explicitly.
// It pauses only a host that is down: a few connection failures in a row, or nearly every
// request failing over a window with a minimum volume. A host that answers at all — even with
// many errors or 429s — keeps receiving; retries and the adaptive concurrency limit deal with it.
// Open: nothing is sent until the probe time. Half-open: probes go out in rounds of 1, 2, 4 …;
// a round in which the host is unreachable, or nearly every probe fails, opens the circuit
// again; once a round at the top level passes, it closes.
import { z } from 'zod';

export const CircuitBreakerConfigSchema = z.object({
  enabled: z.boolean().default(true),
  /** Length of the sliding window over which the failure rate is measured. */
  windowMs: z.number().int().positive().default(30_000),
  /** Number of buckets the window is split into (memory stays constant under load). */
  buckets: z.number().int().min(1).max(600).default(10),
  /** No rate verdict until this many requests were seen in the window. */
  minRequests: z.number().int().positive().default(20),
  /** Open when failures / requests reaches this rate ("nearly every request fails"). */
  failureRateThreshold: z.number().gt(0).max(1).default(0.9),
  /** Open after this many connection failures in a row (refused, DNS, connect timeout). */
  connectionFailures: z.number().int().positive().default(3),
  /** How long the circuit stays open before probes are let through. */
  openDurationMs: z.number().int().positive().default(10_000),
  /** Probes in flight double from 1 up to this; when a full round at this level succeeds, the circuit closes. */
  probeRampMax: z.number().int().positive().default(16),
  /**
   * While probes are out, how long a request waits for its turn before it is handed back held
   * (tried again later): a probe that hangs must not keep the worker's slots busy meanwhile.
   */
  probeWaitMs: z.number().int().positive().default(2_000),
});
export type CircuitBreakerConfig = z.output<typeof CircuitBreakerConfigSchema>;

interface Bucket {
  start: number;
  total: number;
  failures: number;
}

export type BreakerState =
  | { phase: 'closed'; buckets: readonly Bucket[]; connectionFailures: number }
  | { phase: 'open'; until: number }
  /** A round of `level` probes: `inFlight` out, `successes` and `failures` back. */
  | { phase: 'half_open'; level: number; inFlight: number; successes: number; failures: number };

export const CLOSED: BreakerState = { phase: 'closed', buckets: [], connectionFailures: 0 };

/**
 * What an attempt says about the host: `success` (it answered as it should), `failure` (5xx,
 * 408, timeout, broken connection), `unreachable` (no connection at all), `neutral` (nothing
 * about its health: blocked before the network, or 429, which the concurrency limit handles).
 */
export type BreakerVerdict = 'success' | 'failure' | 'unreachable' | 'neutral';

/**
 * - send: closed, go ahead
 * - probe: half-open, go ahead as one of the probes (report the verdict with `probe: true`)
 * - wait: half-open and the probes of this level are all in flight; ask again when one ends
 * - hold: open; nothing goes out for `retryAfterMs`
 */
export type Admission =
  | { kind: 'send' | 'probe' | 'wait'; state: BreakerState }
  | { kind: 'hold'; state: BreakerState; retryAfterMs: number };

/** May a request go out now? An open circuit turns half-open once its time is up. */
export function admit(config: CircuitBreakerConfig, state: BreakerState, now: number): Admission {
  if (!config.enabled) return { kind: 'send', state };
  switch (state.phase) {
    case 'closed':
      return { kind: 'send', state };
    case 'open':
      if (now < state.until) return { kind: 'hold', state, retryAfterMs: state.until - now };
      return { kind: 'probe', state: { phase: 'half_open', level: 1, inFlight: 1, successes: 0, failures: 0 } };
    case 'half_open':
      if (state.inFlight + state.successes + state.failures >= state.level) return { kind: 'wait', state };
      return { kind: 'probe', state: { ...state, inFlight: state.inFlight + 1 } };
  }
}

/**
 * Record the verdict of an admitted request. `probe` says it was admitted as a probe: results of
 * requests that left before the circuit opened do not decide a probe round.
 */
export function record(config: CircuitBreakerConfig, state: BreakerState, now: number, verdict: BreakerVerdict, probe = false): BreakerState {
  if (!config.enabled) return state;
  if (state.phase === 'half_open') return probe ? recordProbe(config, state, now, verdict) : state;
  if (state.phase === 'open' || verdict === 'neutral') return state;

  const opened: BreakerState = { phase: 'open', until: now + config.openDurationMs };
  const connectionFailures = verdict === 'unreachable' ? state.connectionFailures + 1 : 0;
  if (connectionFailures >= config.connectionFailures) return opened;
  const buckets = addToWindow(config, state.buckets, now, verdict !== 'success');
  const { total, failures } = windowTotals(buckets);
  if (total >= config.minRequests && failures / total >= config.failureRateThreshold) return opened;
  return { phase: 'closed', buckets, connectionFailures };
}

function recordProbe(
  config: CircuitBreakerConfig,
  state: Extract<BreakerState, { phase: 'half_open' }>,
  now: number,
  verdict: BreakerVerdict,
): BreakerState {
  const inFlight = Math.max(0, state.inFlight - 1);
  if (verdict === 'unreachable') return { phase: 'open', until: now + config.openDurationMs };
  if (verdict === 'neutral') return { ...state, inFlight };
  const successes = state.successes + (verdict === 'success' ? 1 : 0);
  const failures = state.failures + (verdict === 'failure' ? 1 : 0);
  if (successes + failures < state.level) return { ...state, inFlight, successes, failures };
  // The round is complete: judged like the closed window, so a host that answers at all passes.
  if (failures / state.level >= config.failureRateThreshold) return { phase: 'open', until: now + config.openDurationMs };
  if (state.level >= config.probeRampMax) return CLOSED;
  return { phase: 'half_open', level: Math.min(state.level * 2, config.probeRampMax), inFlight, successes: 0, failures: 0 };
}

function addToWindow(config: CircuitBreakerConfig, buckets: readonly Bucket[], now: number, failed: boolean): Bucket[] {
  const bucketMs = Math.max(1, Math.floor(config.windowMs / config.buckets));
  const start = now - (now % bucketMs);
  const kept = buckets.filter((b) => b.start > now - config.windowMs);
  const last = kept[kept.length - 1];
  const failure = failed ? 1 : 0;
  return last && last.start === start
    ? [...kept.slice(0, -1), { start, total: last.total + 1, failures: last.failures + failure }]
    : [...kept, { start, total: 1, failures: failure }];
}

export function windowTotals(buckets: readonly Bucket[]): { total: number; failures: number } {
  let total = 0;
  let failures = 0;
  for (const b of buckets) {
    total += b.total;
    failures += b.failures;
  }
  return { total, failures };
}

/** True when the state remembers nothing that could change a later verdict. */
export function isForgettable(state: BreakerState): boolean {
  return state.phase === 'closed' && state.connectionFailures === 0 && windowTotals(state.buckets).failures === 0;
}

// Per-host circuit breaker as a pure state machine: every transition takes `now` explicitly.
// Closed: outcomes are counted in a sliding window of time buckets; when enough requests fail
// the circuit opens. Open: nothing is sent until the probe time. Half-open: one probe goes
// through; its success closes the circuit, its failure opens it again.
import { z } from 'zod';

export const CircuitBreakerConfigSchema = z.object({
  enabled: z.boolean().default(true),
  /** Length of the sliding window over which the failure rate is measured. */
  windowMs: z.number().int().positive().default(60_000),
  /** Number of buckets the window is split into (memory stays constant under load). */
  buckets: z.number().int().min(1).max(600).default(10),
  /** No verdict until this many requests were seen in the window. */
  minRequests: z.number().int().positive().default(10),
  /** Open when failures / requests reaches this rate. */
  failureRateThreshold: z.number().gt(0).max(1).default(0.5),
  /** How long the circuit stays open before a probe is let through. */
  openDurationMs: z.number().int().positive().default(30_000),
});
export type CircuitBreakerConfig = z.output<typeof CircuitBreakerConfigSchema>;

interface Bucket {
  start: number;
  total: number;
  failures: number;
}

export type BreakerState =
  | { phase: 'closed'; buckets: readonly Bucket[] }
  | { phase: 'open'; until: number }
  | { phase: 'half_open'; probeInFlight: boolean };

export const CLOSED: BreakerState = { phase: 'closed', buckets: [] };

export type BreakerVerdict = 'success' | 'failure' | 'neutral';

export interface Admission {
  state: BreakerState;
  allowed: boolean;
  /** With allowed=false: how long until a probe may be sent. */
  retryAfterMs?: number;
}

/** May a request go out now? Open circuits turn half-open (one probe) once their time is up. */
export function admit(config: CircuitBreakerConfig, state: BreakerState, now: number): Admission {
  if (!config.enabled) return { state, allowed: true };
  switch (state.phase) {
    case 'closed':
      return { state, allowed: true };
    case 'open':
      if (now < state.until) return { state, allowed: false, retryAfterMs: state.until - now };
      return { state: { phase: 'half_open', probeInFlight: true }, allowed: true };
    case 'half_open':
      if (state.probeInFlight) return { state, allowed: false, retryAfterMs: config.openDurationMs };
      return { state: { phase: 'half_open', probeInFlight: true }, allowed: true };
  }
}

/** Record the verdict of an admitted request. `neutral` (e.g. blocked before the network) changes nothing. */
export function record(config: CircuitBreakerConfig, state: BreakerState, now: number, verdict: BreakerVerdict): BreakerState {
  if (!config.enabled) return state;
  if (state.phase === 'half_open') {
    if (verdict === 'success') return CLOSED;
    if (verdict === 'failure') return { phase: 'open', until: now + config.openDurationMs };
    return { phase: 'half_open', probeInFlight: false };
  }
  if (state.phase === 'open' || verdict === 'neutral') return state;

  const bucketMs = Math.max(1, Math.floor(config.windowMs / config.buckets));
  const start = now - (now % bucketMs);
  const kept = state.buckets.filter((b) => b.start > now - config.windowMs);
  const last = kept[kept.length - 1];
  const failure = verdict === 'failure' ? 1 : 0;
  const buckets =
    last && last.start === start
      ? [...kept.slice(0, -1), { start, total: last.total + 1, failures: last.failures + failure }]
      : [...kept, { start, total: 1, failures: failure }];
  const { total, failures } = windowTotals(buckets);
  if (total >= config.minRequests && failures / total >= config.failureRateThreshold) {
    return { phase: 'open', until: now + config.openDurationMs };
  }
  return { phase: 'closed', buckets };
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

/** Breaker states of many hosts; the only mutable part, kept tiny. */
export class CircuitBreakerRegistry {
  private readonly states = new Map<string, BreakerState>();
  constructor(
    readonly config: CircuitBreakerConfig,
    private readonly now: () => number = Date.now,
  ) {}

  admit(host: string): Admission {
    const result = admit(this.config, this.states.get(host) ?? CLOSED, this.now());
    this.set(host, result.state);
    return result;
  }

  record(host: string, verdict: BreakerVerdict): BreakerState {
    const next = record(this.config, this.states.get(host) ?? CLOSED, this.now(), verdict);
    this.set(host, next);
    return next;
  }

  state(host: string): BreakerState {
    return this.states.get(host) ?? CLOSED;
  }

  private set(host: string, state: BreakerState): void {
    if (state.phase === 'closed' && state.buckets.length === 0) this.states.delete(host);
    else this.states.set(host, state);
  }
}

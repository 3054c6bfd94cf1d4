// The per-host gate every request passes: an adaptive concurrency limit (AIMD, ceiling
// LIQUIDHOOK_MAX_PER_HOST) and the host's circuit breaker. Requests over the limit wait in
// arrival order; none are dropped. While the circuit is open they are handed back at once as
// `held` with the time until the next probe (the worker re-queues them without counting an
// attempt); while it is half-open they wait for the probe rounds, which go out as they ramp up,
// and are handed back held if the probes take longer than `probeWaitMs`.
import { accepted, concurrencyOf, initialLimit, throttled, type AdaptiveLimit } from './adaptive-limit.js';
import { CLOSED, admit, isForgettable, record } from './circuit-breaker.js';
import type { BreakerState, BreakerVerdict, CircuitBreakerConfig } from './circuit-breaker.js';
import type { AttemptResult } from './types.js';

/** Admitted: send, then `done` with the result. Or held back by the open circuit. */
export type Pass = { kind: 'go'; done(result: Pick<AttemptResult, 'status' | 'error' | 'startedAt'>): void } | { kind: 'held'; retryAfterMs: number };

interface Waiter {
  resolve(pass: Pass): void;
  since: number;
}

interface Host {
  active: number;
  waiting: Waiter[];
  breaker: BreakerState;
  limit: AdaptiveLimit;
  /** Set while requests wait for probes: hands back those that waited `probeWaitMs`. */
  probeTimer?: NodeJS.Timeout;
}

export class HostGate {
  private readonly hosts = new Map<string, Host>();

  constructor(
    /** LIQUIDHOOK_MAX_PER_HOST: the most requests a host ever has in flight. */
    readonly ceiling: number,
    private readonly breaker: CircuitBreakerConfig,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(ceiling) || ceiling < 1) throw new Error(`per-host concurrency limit must be a positive integer, got ${ceiling}`);
  }

  /** Resolves once the request may go out, or at once when the host's circuit is open. */
  acquire(host: string): Promise<Pass> {
    const entry = this.entry(host);
    return new Promise((resolve) => {
      entry.waiting.push({ resolve, since: this.now() });
      this.pump(host, entry);
    });
  }

  /** While the host's circuit is open: how long until its next probe. */
  heldFor(host: string): number | undefined {
    const breaker = this.breakerState(host);
    const now = this.now();
    return breaker.phase === 'open' && now < breaker.until ? breaker.until - now : undefined;
  }

  breakerState(host: string): BreakerState {
    return this.hosts.get(host)?.breaker ?? CLOSED;
  }

  /** Requests in flight and waiting for `host`, and how many it may have in flight now. */
  load(host: string): { active: number; waiting: number; limit: number } {
    const entry = this.hosts.get(host);
    return { active: entry?.active ?? 0, waiting: entry?.waiting.length ?? 0, limit: entry ? concurrencyOf(entry.limit) : this.ceiling };
  }

  private entry(host: string): Host {
    let entry = this.hosts.get(host);
    if (!entry) {
      entry = { active: 0, waiting: [], breaker: CLOSED, limit: initialLimit(this.ceiling) };
      this.hosts.set(host, entry);
    }
    return entry;
  }

  /** Lets waiting requests go, in order, while the limit and the breaker allow. */
  private pump(host: string, entry: Host): void {
    while (entry.waiting.length > 0) {
      const heldFor = this.heldFor(host);
      if (heldFor !== undefined) {
        const held: Pass = { kind: 'held', retryAfterMs: heldFor };
        for (const waiter of entry.waiting.splice(0)) waiter.resolve(held);
        break;
      }
      if (entry.active >= concurrencyOf(entry.limit)) break;
      // After a refused connection, the requests already out tell whether the host is reachable
      // (or open the circuit) before more are sent its way.
      if (entry.breaker.phase === 'closed' && entry.breaker.connectionFailures > 0 && entry.active > 0) break;
      const admission = admit(this.breaker, entry.breaker, this.now());
      entry.breaker = admission.state;
      // `hold` only comes from an open circuit, handled above on the next turn.
      if (admission.kind === 'hold') continue;
      if (admission.kind === 'wait') {
        this.expireLater(host, entry);
        break;
      }
      entry.active++;
      entry.waiting.shift()!.resolve({ kind: 'go', done: once((result) => this.finish(host, entry, result, admission.kind === 'probe')) });
    }
    this.forgetIfIdle(host, entry);
  }

  private finish(host: string, entry: Host, result: Pick<AttemptResult, 'status' | 'error' | 'startedAt'>, probe: boolean): void {
    entry.active--;
    const now = this.now();
    entry.breaker = record(this.breaker, entry.breaker, now, breakerVerdict(result), probe);
    if (result.status === 429) entry.limit = throttled(entry.limit, result.startedAt, now);
    else if (result.status !== undefined && result.status >= 200 && result.status < 300) entry.limit = accepted(entry.limit, this.ceiling);
    this.pump(host, entry);
  }

  private expireLater(host: string, entry: Host): void {
    if (entry.probeTimer || entry.waiting.length === 0) return;
    const delay = Math.max(0, entry.waiting[0]!.since + this.breaker.probeWaitMs - this.now());
    entry.probeTimer = setTimeout(() => {
      entry.probeTimer = undefined;
      this.expire(host, entry);
    }, delay);
    entry.probeTimer.unref();
  }

  /** Probes are still out: requests that waited long enough go back to the queue, held. */
  private expire(host: string, entry: Host): void {
    if (entry.breaker.phase === 'half_open') {
      const cutoff = this.now() - this.breaker.probeWaitMs;
      const held: Pass = { kind: 'held', retryAfterMs: this.breaker.probeWaitMs };
      while (entry.waiting.length > 0 && entry.waiting[0]!.since <= cutoff) entry.waiting.shift()!.resolve(held);
    }
    this.pump(host, entry);
  }

  /** A host with nothing in flight or waiting and nothing worth remembering takes no memory. */
  private forgetIfIdle(host: string, entry: Host): void {
    if (entry.active > 0 || entry.waiting.length > 0 || !isForgettable(entry.breaker) || entry.limit.limit < this.ceiling) return;
    clearTimeout(entry.probeTimer);
    if (this.hosts.get(host) === entry) this.hosts.delete(host);
  }
}

/** What one attempt says about the health of its host. */
export function breakerVerdict(result: Pick<AttemptResult, 'status' | 'error'>): BreakerVerdict {
  if (result.error) {
    switch (result.error.kind) {
      case 'connection':
        return 'unreachable';
      case 'timeout':
      case 'network':
        return 'failure';
      default:
        return 'neutral';
    }
  }
  const status = result.status ?? 0;
  if (status === 429) return 'neutral';
  return status === 408 || status >= 500 ? 'failure' : 'success';
}

function once<T>(fn: (value: T) => void): (value: T) => void {
  let called = false;
  return (value) => {
    if (called) return;
    called = true;
    fn(value);
  };
}

import { describe, it, expect } from 'vitest';
import { CLOSED, CircuitBreakerConfigSchema, CircuitBreakerRegistry, HostLimiter, admit, record } from '../../src/dispatch/index.js';
import type { BreakerState } from '../../src/dispatch/index.js';

const config = CircuitBreakerConfigSchema.parse({ windowMs: 10_000, buckets: 10, minRequests: 4, failureRateThreshold: 0.5, openDurationMs: 5_000 });

function feed(state: BreakerState, now: number, verdicts: Array<'success' | 'failure'>): BreakerState {
  return verdicts.reduce((s, v) => record(config, s, now, v), state);
}

describe('circuit breaker state machine', () => {
  it('stays closed below minRequests even if all fail', () => {
    const s = feed(CLOSED, 0, ['failure', 'failure', 'failure']);
    expect(s.phase).toBe('closed');
    expect(admit(config, s, 0).allowed).toBe(true);
  });

  it('opens when the failure rate reaches the threshold, then rejects until the probe time', () => {
    const s = feed(CLOSED, 1000, ['success', 'failure', 'success', 'failure']);
    expect(s).toEqual({ phase: 'open', until: 6000 });
    const early = admit(config, s, 2000);
    expect(early).toMatchObject({ allowed: false, retryAfterMs: 4000 });
  });

  it('stays closed when the failure rate is under the threshold', () => {
    const s = feed(CLOSED, 1000, ['success', 'success', 'failure', 'success', 'success']);
    expect(s.phase).toBe('closed');
  });

  it('half-open lets exactly one probe through; success closes', () => {
    const open: BreakerState = { phase: 'open', until: 6000 };
    const probe = admit(config, open, 6000);
    expect(probe.allowed).toBe(true);
    expect(probe.state).toEqual({ phase: 'half_open', probeInFlight: true });
    const second = admit(config, probe.state, 6001);
    expect(second.allowed).toBe(false);
    expect(record(config, probe.state, 6500, 'success')).toEqual(CLOSED);
  });

  it('a failed probe opens the circuit again for a full period', () => {
    const half: BreakerState = { phase: 'half_open', probeInFlight: true };
    expect(record(config, half, 7000, 'failure')).toEqual({ phase: 'open', until: 12_000 });
  });

  it('a neutral probe (no network use) frees the probe slot without deciding', () => {
    const half: BreakerState = { phase: 'half_open', probeInFlight: true };
    const s = record(config, half, 7000, 'neutral');
    expect(s).toEqual({ phase: 'half_open', probeInFlight: false });
    expect(admit(config, s, 7001).allowed).toBe(true);
  });

  it('old failures slide out of the window', () => {
    let s = feed(CLOSED, 0, ['failure', 'failure', 'failure']);
    // 11 s later the three failures are outside the 10 s window: one more failure is 1 of 1 < minRequests.
    s = feed(s, 11_000, ['failure']);
    expect(s.phase).toBe('closed');
    s = feed(s, 11_000, ['success', 'success', 'success']);
    expect(s.phase).toBe('closed');
  });

  it('disabled breaker never opens', () => {
    const off = CircuitBreakerConfigSchema.parse({ enabled: false, minRequests: 1 });
    const s = record(off, CLOSED, 0, 'failure');
    expect(admit(off, s, 0).allowed).toBe(true);
  });

  it('registry keeps one state per host with an injected clock', () => {
    let now = 0;
    const reg = new CircuitBreakerRegistry(config, () => now);
    for (let i = 0; i < 4; i++) {
      expect(reg.admit('http://a').allowed).toBe(true);
      reg.record('http://a', 'failure');
    }
    expect(reg.state('http://a').phase).toBe('open');
    expect(reg.admit('http://b').allowed).toBe(true);
    expect(reg.admit('http://a').allowed).toBe(false);
    now = 5_000;
    expect(reg.admit('http://a').allowed).toBe(true);
    reg.record('http://a', 'success');
    expect(reg.state('http://a').phase).toBe('closed');
  });
});

describe('HostLimiter', () => {
  it('admits up to the limit per host and serves waiters in FIFO order', async () => {
    const limiter = new HostLimiter(2);
    const order: number[] = [];
    const r1 = await limiter.acquire('h');
    const r2 = await limiter.acquire('h');
    const waiters = [3, 4, 5].map((n) => limiter.acquire('h').then((release) => (order.push(n), release)));
    const other = await limiter.acquire('other');
    expect(limiter.load('h')).toEqual({ active: 2, waiting: 3 });
    r1();
    r1(); // double release is harmless
    const r3 = await waiters[0]!;
    r2();
    const r4 = await waiters[1]!;
    r3();
    r4();
    (await waiters[2]!)();
    other();
    expect(order).toEqual([3, 4, 5]);
    expect(limiter.load('h')).toEqual({ active: 0, waiting: 0 });
  });
  it('rejects a bad limit', () => {
    expect(() => new HostLimiter(0)).toThrow(/positive integer/);
  });
});

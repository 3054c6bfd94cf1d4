import { describe, it, expect } from 'vitest';
import { CLOSED, CircuitBreakerConfigSchema, admit, record } from '../../src/dispatch/index.js';
import type { BreakerState, BreakerVerdict } from '../../src/dispatch/index.js';

const config = CircuitBreakerConfigSchema.parse({
  windowMs: 10_000,
  buckets: 10,
  minRequests: 10,
  failureRateThreshold: 0.9,
  connectionFailures: 3,
  openDurationMs: 5_000,
  probeRampMax: 4,
});

function feed(state: BreakerState, now: number, verdicts: BreakerVerdict[]): BreakerState {
  return verdicts.reduce((s, v) => record(config, s, now, v), state);
}
const times = (n: number, v: BreakerVerdict): BreakerVerdict[] => Array.from({ length: n }, () => v);

/** Admits as many probes as the state allows at `now`; returns the state and how many went. */
function admitAll(state: BreakerState, now: number): { state: BreakerState; probes: number } {
  let probes = 0;
  for (;;) {
    const a = admit(config, state, now);
    state = a.state;
    if (a.kind !== 'probe') return { state, probes };
    probes++;
  }
}

describe('circuit breaker: when it opens', () => {
  it('stays closed below minRequests even if all fail', () => {
    const s = feed(CLOSED, 0, times(9, 'failure'));
    expect(s.phase).toBe('closed');
    expect(admit(config, s, 0).kind).toBe('send');
  });

  it('stays closed for a host failing half of its requests, however many', () => {
    const s = feed(CLOSED, 1000, Array.from({ length: 200 }, (_, i): BreakerVerdict => (i % 2 ? 'failure' : 'success')));
    expect(s.phase).toBe('closed');
  });

  it('opens when nearly every request in the window fails', () => {
    const s = feed(CLOSED, 1000, ['success', ...times(9, 'failure')]);
    expect(s).toEqual({ phase: 'open', until: 6000 });
    expect(admit(config, s, 2000)).toMatchObject({ kind: 'hold', retryAfterMs: 4000 });
  });

  it('opens after a few connection failures in a row, before any volume', () => {
    expect(feed(CLOSED, 0, ['unreachable', 'unreachable']).phase).toBe('closed');
    expect(feed(CLOSED, 0, times(3, 'unreachable'))).toEqual({ phase: 'open', until: 5000 });
  });

  it('any answer from the host resets the run of connection failures', () => {
    const s = feed(CLOSED, 0, ['unreachable', 'unreachable', 'failure', 'unreachable', 'unreachable']);
    expect(s.phase).toBe('closed');
  });

  it('429s and requests blocked before the network are neutral', () => {
    expect(feed(CLOSED, 0, times(50, 'neutral'))).toEqual(CLOSED);
    // Many 429s among failures do not count towards "nearly every request failing".
    expect(feed(CLOSED, 0, [...times(5, 'success'), ...times(50, 'neutral'), ...times(5, 'failure')]).phase).toBe('closed');
  });

  it('old failures slide out of the window', () => {
    let s = feed(CLOSED, 0, times(9, 'failure'));
    s = feed(s, 11_000, ['failure']);
    expect(s.phase).toBe('closed');
  });

  it('a disabled breaker never opens', () => {
    const off = CircuitBreakerConfigSchema.parse({ enabled: false });
    expect(admit(off, feed(CLOSED, 0, times(20, 'unreachable')), 0).kind).toBe('send');
  });

  it('defaults: 3 connection failures, 90 % of at least 20 requests in 30 s, probes after 10 s, ramp to 16', () => {
    expect(CircuitBreakerConfigSchema.parse({})).toMatchObject({
      connectionFailures: 3,
      failureRateThreshold: 0.9,
      minRequests: 20,
      windowMs: 30_000,
      openDurationMs: 10_000,
      probeRampMax: 16,
    });
  });
});

describe('circuit breaker: probing a host that was down', () => {
  const open: BreakerState = { phase: 'open', until: 6000 };

  it('holds everything until the probe time, then lets exactly one probe out', () => {
    expect(admit(config, open, 5999)).toMatchObject({ kind: 'hold', retryAfterMs: 1 });
    const first = admitAll(open, 6000);
    expect(first.probes).toBe(1);
    expect(admit(config, first.state, 6001).kind).toBe('wait');
  });

  it('ramps 1, 2, 4 probes in flight and closes after a full round at the top', () => {
    let { state } = admitAll(open, 6000);
    const rounds: number[] = [1];
    for (let now = 6001; state.phase === 'half_open'; now++) {
      const inRound = state.level;
      for (let i = 0; i < inRound; i++) state = record(config, state, now, 'success', true);
      if (state.phase !== 'half_open') break;
      const next = admitAll(state, now);
      state = next.state;
      rounds.push(next.probes);
    }
    expect(rounds).toEqual([1, 2, 4]);
    expect(state).toEqual(CLOSED);
  });

  it('an unreachable probe opens the circuit again for a full period', () => {
    const { state } = admitAll(open, 6000);
    expect(record(config, state, 7000, 'unreachable', true)).toEqual({ phase: 'open', until: 12_000 });
  });

  it('a round in which every probe fails opens it again; one that the host partly answers goes on', () => {
    let { state } = admitAll(open, 6000);
    state = admitAll(record(config, state, 6001, 'success', true), 6001).state;
    expect(state).toMatchObject({ phase: 'half_open', level: 2, inFlight: 2 });
    const partly = record(config, record(config, state, 6002, 'failure', true), 6002, 'success', true);
    expect(partly).toMatchObject({ phase: 'half_open', level: 4, inFlight: 0 });
    const none = record(config, record(config, state, 6002, 'failure', true), 6002, 'failure', true);
    expect(none).toEqual({ phase: 'open', until: 11_002 });
  });

  it('a neutral probe (429, blocked) frees its slot without deciding', () => {
    const { state } = admitAll(open, 6000);
    const s = record(config, state, 6001, 'neutral', true);
    expect(s).toMatchObject({ phase: 'half_open', level: 1, inFlight: 0, successes: 0 });
    expect(admit(config, s, 6002).kind).toBe('probe');
  });

  it('results of requests sent before the circuit opened do not decide a round', () => {
    const { state } = admitAll(open, 6000);
    expect(record(config, state, 6001, 'unreachable')).toEqual(state);
    expect(record(config, open, 5000, 'success')).toEqual(open);
  });
});

import { afterEach, describe, it, expect, vi } from 'vitest';
import { CircuitBreakerConfigSchema, HostGate, accepted, breakerVerdict, concurrencyOf, initialLimit, throttled } from '../../src/dispatch/index.js';
import type { Pass } from '../../src/dispatch/index.js';

describe('adaptive limit (AIMD)', () => {
  it('halves on a 429, down to 1', () => {
    let s = initialLimit(16);
    s = throttled(s, 100, 200);
    expect(concurrencyOf(s)).toBe(8);
    for (let t = 300; t < 1000; t += 100) s = throttled(s, t, t + 1);
    expect(concurrencyOf(s)).toBe(1);
  });

  it('decreases once per round: 429s to requests sent before the decrease change nothing', () => {
    let s = initialLimit(16);
    s = throttled(s, 100, 200);
    for (const sentAt of [100, 150, 199]) s = throttled(s, sentAt, 250);
    expect(concurrencyOf(s)).toBe(8);
    s = throttled(s, 260, 300);
    expect(concurrencyOf(s)).toBe(4);
  });

  it('grows back by about one per round of accepted requests, up to the ceiling', () => {
    let s = throttled(initialLimit(16), 0, 1);
    expect(concurrencyOf(s)).toBe(8);
    for (let i = 0; i < 8; i++) s = accepted(s, 16);
    expect(concurrencyOf(s)).toBe(8);
    s = accepted(s, 16);
    expect(concurrencyOf(s)).toBe(9);
    for (let i = 0; i < 1000; i++) s = accepted(s, 16);
    expect(s.limit).toBe(16);
  });
});

describe('breakerVerdict', () => {
  it.each([
    [{ status: 200 }, 'success'],
    [{ status: 404 }, 'success'],
    [{ status: 429 }, 'neutral'],
    [{ status: 408 }, 'failure'],
    [{ status: 503 }, 'failure'],
    [{ error: { kind: 'timeout', message: '' } }, 'failure'],
    [{ error: { kind: 'network', message: 'reset' } }, 'failure'],
    [{ error: { kind: 'connection', message: 'ECONNREFUSED' } }, 'unreachable'],
    [{ error: { kind: 'ssrf_blocked', message: '' } }, 'neutral'],
    [{ error: { kind: 'invalid_request', message: '' } }, 'neutral'],
  ] as const)('%j is %s', (result, verdict) => {
    expect(breakerVerdict(result)).toBe(verdict);
  });
});

/** A gate on a fake clock, with helpers that track which acquisitions have resolved. */
function gateAt(ceiling: number, breaker: object = {}) {
  const clock = { now: 1_000_000 };
  const gate = new HostGate(ceiling, CircuitBreakerConfigSchema.parse({ openDurationMs: 10_000, ...breaker }), () => clock.now);
  const acquire = (host = 'h') => {
    const entry: { pass?: Pass } = {};
    void gate.acquire(host).then((pass) => (entry.pass = pass));
    return entry;
  };
  const done = (entry: { pass?: Pass }, result: { status?: number; error?: { kind: 'connection'; message: string } }) => {
    if (entry.pass?.kind !== 'go') throw new Error('not admitted');
    entry.pass.done({ startedAt: clock.now, ...result });
  };
  return { clock, gate, acquire, done };
}
const settle = () => new Promise((r) => setImmediate(r));
const refused = { error: { kind: 'connection' as const, message: 'ECONNREFUSED' } };

/** A gate whose host was refused once (opening its circuit), with the clock at the probe time. */
async function probeTime(breaker: object = {}) {
  const g = gateAt(16, { connectionFailures: 1, ...breaker });
  const warm = g.acquire();
  await settle();
  g.done(warm, refused);
  g.clock.now += 10_000;
  return g;
}

describe('HostGate', () => {
  afterEach(() => void vi.useRealTimers());

  it('admits up to the limit per host and serves waiters in order', async () => {
    const { gate, acquire, done } = gateAt(2);
    const a = [acquire(), acquire(), acquire(), acquire()];
    const other = acquire('other');
    await settle();
    expect(a.map((e) => e.pass?.kind)).toEqual(['go', 'go', undefined, undefined]);
    expect(other.pass?.kind).toBe('go');
    expect(gate.load('h')).toEqual({ active: 2, waiting: 2, limit: 2 });
    done(a[1]!, { status: 200 });
    done(a[1]!, { status: 200 }); // a second `done` is harmless
    await settle();
    expect(a.map((e) => e.pass?.kind)).toEqual(['go', 'go', 'go', undefined]);
    for (const e of [a[0]!, a[2]!]) done(e, { status: 200 });
    await settle();
    done(a[3]!, { status: 200 });
    done(other, { status: 200 });
    expect(gate.load('h')).toEqual({ active: 0, waiting: 0, limit: 2 });
  });

  it('a 429 lets fewer requests out at once instead of pausing the host', async () => {
    const { gate, acquire, done } = gateAt(4);
    const first = [acquire(), acquire(), acquire(), acquire()];
    await settle();
    for (const e of first) done(e, { status: 429 });
    expect(gate.load('h').limit).toBe(2);
    expect(gate.breakerState('h').phase).toBe('closed');
    const next = [acquire(), acquire(), acquire()];
    await settle();
    expect(next.map((e) => e.pass?.kind)).toEqual(['go', 'go', undefined]);
  });

  it('after a refused connection, no more requests go out until those in flight say whether the host is reachable', async () => {
    const { acquire, done } = gateAt(4);
    const a = Array.from({ length: 6 }, () => acquire());
    await settle();
    done(a[0]!, refused);
    await settle();
    expect(a.map((e) => e.pass?.kind)).toEqual(['go', 'go', 'go', 'go', undefined, undefined]);
    done(a[1]!, { status: 200 });
    await settle();
    expect(a.map((e) => e.pass?.kind)).toEqual(['go', 'go', 'go', 'go', 'go', 'go']);
  });

  it('an open circuit hands every waiting and new request back at once, with the time to the probe', async () => {
    const { clock, gate, acquire, done } = gateAt(2);
    const a = Array.from({ length: 5 }, () => acquire());
    await settle();
    done(a[0]!, refused);
    await settle();
    // Refused: only one request at a time until the host answers.
    done(a[1]!, refused);
    await settle();
    expect(a.map((e) => e.pass?.kind)).toEqual(['go', 'go', 'go', undefined, undefined]);
    done(a[2]!, refused);
    await settle();
    expect(gate.breakerState('h')).toEqual({ phase: 'open', until: clock.now + 10_000 });
    expect(a.slice(3).map((e) => e.pass)).toEqual([
      { kind: 'held', retryAfterMs: 10_000 },
      { kind: 'held', retryAfterMs: 10_000 },
    ]);
    expect(gate.breakerState('h').phase).toBe('open');
    clock.now += 4_000;
    const late = acquire();
    await settle();
    expect(late.pass).toEqual({ kind: 'held', retryAfterMs: 6_000 });
  });

  it('after the open period one probe goes out; the rest wait and follow the ramp when it succeeds', async () => {
    const { clock, gate, acquire, done } = await probeTime();
    const waiting = Array.from({ length: 7 }, () => acquire());
    await settle();
    expect(waiting.map((e) => e.pass?.kind ?? 'waiting')).toEqual(['go', ...Array(6).fill('waiting')]);
    done(waiting[0]!, { status: 200 });
    await settle();
    expect(waiting.filter((e) => e.pass?.kind === 'go')).toHaveLength(3);
    for (const e of waiting.slice(1, 3)) done(e, { status: 200 });
    await settle();
    expect(waiting.filter((e) => e.pass?.kind === 'go')).toHaveLength(7);
    expect(gate.breakerState('h')).toMatchObject({ phase: 'half_open', level: 4 });
  });

  it('a failed probe hands the waiting requests back until the next probe time', async () => {
    const { clock, gate, acquire, done } = await probeTime();
    const [probe, ...rest] = [acquire(), acquire(), acquire()];
    await settle();
    done(probe!, refused);
    await settle();
    expect(rest.map((e) => e.pass)).toEqual([
      { kind: 'held', retryAfterMs: 10_000 },
      { kind: 'held', retryAfterMs: 10_000 },
    ]);
    expect(gate.breakerState('h').phase).toBe('open');
  });

  it('requests waiting for a probe that hangs are handed back held after probeWaitMs, the probe keeps its slot', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { clock, gate, acquire, done } = await probeTime({ probeWaitMs: 2000 });
    const probe = acquire();
    await settle();
    clock.now += 1500;
    const waiting = [acquire(), acquire()];
    await settle();
    clock.now += 500;
    vi.advanceTimersByTime(500);
    await settle();
    expect(waiting.map((e) => e.pass)).toEqual([undefined, undefined]);
    clock.now += 1500;
    vi.advanceTimersByTime(1500);
    await settle();
    expect(waiting.map((e) => e.pass)).toEqual([
      { kind: 'held', retryAfterMs: 2000 },
      { kind: 'held', retryAfterMs: 2000 },
    ]);
    expect(gate.load('h')).toMatchObject({ active: 1, waiting: 0 });
    done(probe, { status: 200 });
    expect(gate.breakerState('h')).toMatchObject({ phase: 'half_open', level: 2 });
  });

  it('rejects a bad ceiling', () => {
    expect(() => new HostGate(0, CircuitBreakerConfigSchema.parse({}))).toThrow(/positive integer/);
  });
});

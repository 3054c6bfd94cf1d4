import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  RetryPolicySchema,
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  classifyOutcome,
  decideNextAttempt,
  parseRateLimitReset,
  parseRetryAfter,
  retryHintMs,
} from '../../src/dispatch/index.js';
import type { AttemptOutcome } from '../../src/dispatch/index.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const status = (s: number, retryAfterMs?: number): AttemptOutcome => ({ ok: s >= 200 && s < 300, status: s, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

/** Deterministic uniform [0,1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('classifyOutcome / decideNextAttempt: which outcomes retry', () => {
  const decide = (outcome: AttemptOutcome) => decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 1, firstAttemptAt: T0, now: T0, outcome, rng: () => 0.5 });

  it.each([200, 201, 204])('%i is delivered', (s) => {
    expect(decide(status(s)).action).toBe('done');
  });
  it.each([408, 429, 500, 502, 503, 504, 599])('%i is retried', (s) => {
    const d = decide(status(s));
    expect(d.action).toBe('retry');
    expect(d.reason).toBe(`HTTP ${s}`);
    expect(d.delayMs).toBeGreaterThan(0);
    expect(d.retryAt).toBe(T0 + d.delayMs!);
  });
  it.each([400, 401, 403, 404, 409, 410, 422])('%i fails without retry', (s) => {
    expect(decide(status(s))).toMatchObject({ action: 'failed', reason: `HTTP ${s}` });
  });
  it.each([301, 302, 307, 308])('%i is not followed and not retried', (s) => {
    const d = decide(status(s));
    expect(d.action).toBe('failed');
    expect(d.reason).toContain('redirects are not followed');
  });
  it('connection errors, timeouts and broken connections retry; blocked and invalid requests fail', () => {
    expect(decide({ ok: false, error: { kind: 'connection', message: 'ECONNREFUSED' } }).action).toBe('retry');
    expect(decide({ ok: false, error: { kind: 'timeout', message: 'slow' } }).action).toBe('retry');
    expect(decide({ ok: false, error: { kind: 'network', message: 'reset' } }).action).toBe('retry');
    expect(decide({ ok: false, error: { kind: 'ssrf_blocked', message: 'blocked 10.0.0.1' } })).toMatchObject({ action: 'failed', reason: 'ssrf_blocked: blocked 10.0.0.1' });
    expect(decide({ ok: false, error: { kind: 'invalid_request', message: 'bad' } }).action).toBe('failed');
  });
  it('classifies connection errors as unreachable (long window)', () => {
    expect(classifyOutcome({ ok: false, error: { kind: 'connection', message: 'x' } }).class).toBe('unreachable');
    expect(classifyOutcome({ ok: false, error: { kind: 'timeout', message: 'x' } }).class).toBe('retryable');
  });
});

describe('backoff', () => {
  const policy = RetryPolicySchema.parse({ baseDelayMs: 1000, maxDelayMs: 20_000, minDelayMs: 100 });

  it('by default the first retry comes within 5 s (not before 2.5 s), then doubles up to 10 minutes', () => {
    const low = (n: number) => backoffDelayMs(DEFAULT_RETRY_POLICY, n, () => 0);
    const high = (n: number) => backoffDelayMs(DEFAULT_RETRY_POLICY, n, () => 0.999999);
    expect([low(1), high(1)]).toEqual([2500, 5000]);
    expect([low(2), high(2)]).toEqual([5000, 10_000]);
    expect(high(8)).toBe(600_000);
    expect(high(30)).toBe(600_000);
    expect(low(30)).toBe(300_000);
  });
  it('stays within [max(min, nominal/2), nominal], nominal = min(cap, base*2^(n-1)), for a seeded rng', () => {
    const rng = seeded(42);
    for (let attempt = 1; attempt <= 12; attempt++) {
      const nominal = Math.min(20_000, 1000 * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelayMs(policy, attempt, rng);
        expect(d).toBeGreaterThanOrEqual(Math.max(100, nominal / 2));
        expect(d).toBeLessThanOrEqual(nominal);
      }
    }
  });
  it('jitter sets the random share: 0 is the nominal delay, 1 spreads from the floor up', () => {
    const fixed = RetryPolicySchema.parse({ baseDelayMs: 1000, minDelayMs: 100, jitter: 0 });
    expect([0, 0.5, 0.99].map((r) => backoffDelayMs(fixed, 3, () => r))).toEqual([4000, 4000, 4000]);
    const full = RetryPolicySchema.parse({ baseDelayMs: 1000, minDelayMs: 100, jitter: 1 });
    expect(backoffDelayMs(full, 3, () => 0)).toBe(100);
    expect(backoffDelayMs(full, 3, () => 0.5)).toBe(2000);
  });
  it('same seed, same delays', () => {
    const a = seeded(7);
    const b = seeded(7);
    const runA = [1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy, n, a));
    const runB = [1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy, n, b));
    expect(runA).toEqual(runB);
    expect(new Set(runA).size).toBeGreaterThan(1);
  });
  it('property: any attempt and rng value stay within bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const d = backoffDelayMs(policy, attempt, () => r);
        return d >= 100 && d <= 20_000 && Number.isInteger(d);
      }),
    );
  });
  it('a transient failure is retried within 5 s by default', () => {
    for (const r of [0, 0.3, 0.999]) {
      const d = decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 1, firstAttemptAt: T0, now: T0, outcome: status(503), rng: () => r });
      expect(d.action).toBe('retry');
      expect(d.delayMs).toBeLessThanOrEqual(5000);
    }
  });
});

describe('a host whose circuit is open', () => {
  const refused: AttemptOutcome = { ok: false, error: { kind: 'connection', message: 'ECONNREFUSED' }, circuitOpenForMs: 10_000 };

  it('gets the send again at its next probe, not after a long backoff', () => {
    const d = decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 6, firstAttemptAt: T0, now: T0 + 60_000, outcome: refused, rng: () => 0.9 });
    expect(d).toMatchObject({ action: 'retry', delayMs: 10_000, countsAsAttempt: true });
    const noCircuit = decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 6, firstAttemptAt: T0, now: T0 + 60_000, outcome: { ...refused, circuitOpenForMs: undefined }, rng: () => 0.9 });
    expect(noCircuit.delayMs).toBeGreaterThan(100_000);
  });
  it('never sooner than the floor, never past the deadline, and a server hint still wins', () => {
    expect(decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 1, firstAttemptAt: T0, now: T0, outcome: { ...refused, circuitOpenForMs: 5 } }).delayMs).toBe(1000);
    const late = decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 9, firstAttemptAt: T0, now: T0 + 24 * 3_600_000 - 3000, outcome: refused });
    expect(late.retryAt).toBe(T0 + 24 * 3_600_000);
    const hinted = decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 1, firstAttemptAt: T0, now: T0, outcome: { ok: false, status: 503, retryAfterMs: 60_000, circuitOpenForMs: 10_000 } });
    expect(hinted.delayMs).toBe(60_000);
  });
});

describe('give-up window', () => {
  const policy = RetryPolicySchema.parse({ giveUpAfterMs: 60_000, unreachableGiveUpAfterMs: 600_000, baseDelayMs: 1000, maxDelayMs: 30_000, minDelayMs: 10 });

  it('goes dead with the last reason once the window has passed', () => {
    const d = decideNextAttempt(policy, { attempt: 6, firstAttemptAt: T0, now: T0 + 60_000, outcome: status(503) });
    expect(d.action).toBe('dead');
    expect(d.reason).toMatch(/gave up after 60 s: HTTP 503/);
  });
  it('never schedules past the deadline: the final attempt lands on it', () => {
    const d = decideNextAttempt(policy, { attempt: 10, firstAttemptAt: T0, now: T0 + 59_000, outcome: status(500), rng: () => 0.99 });
    expect(d.action).toBe('retry');
    expect(d.retryAt).toBe(T0 + 60_000);
  });
  it('connection errors use the longer unreachable window', () => {
    const outcome: AttemptOutcome = { ok: false, error: { kind: 'connection', message: 'connect ECONNREFUSED' } };
    expect(decideNextAttempt(policy, { attempt: 20, firstAttemptAt: T0, now: T0 + 120_000, outcome }).action).toBe('retry');
    const dead = decideNextAttempt(policy, { attempt: 90, firstAttemptAt: T0, now: T0 + 600_000, outcome });
    expect(dead).toMatchObject({ action: 'dead' });
    expect(dead.reason).toContain('ECONNREFUSED');
    // ...while a 5xx at the same age is long dead.
    expect(decideNextAttempt(policy, { attempt: 20, firstAttemptAt: T0, now: T0 + 120_000, outcome: status(500) }).action).toBe('dead');
  });
  it('maxAttempts caps attempts on top of the windows', () => {
    const capped = RetryPolicySchema.parse({ maxAttempts: 3 });
    expect(decideNextAttempt(capped, { attempt: 2, firstAttemptAt: T0, now: T0, outcome: status(500) }).action).toBe('retry');
    expect(decideNextAttempt(capped, { attempt: 3, firstAttemptAt: T0, now: T0, outcome: status(500) })).toMatchObject({
      action: 'dead',
      reason: 'gave up after 3 attempts: HTTP 500',
    });
  });
  it('default window is 30 minutes, unreachable 24 hours', () => {
    expect(DEFAULT_RETRY_POLICY.giveUpAfterMs).toBe(30 * 60_000);
    expect(DEFAULT_RETRY_POLICY.unreachableGiveUpAfterMs).toBe(24 * 3_600_000);
  });
  it('rejects a nonsensical policy with a clear error', () => {
    expect(() => RetryPolicySchema.parse({ minDelayMs: 5000, maxDelayMs: 1000 })).toThrow(/minDelayMs must not exceed maxDelayMs/);
    expect(() => RetryPolicySchema.parse({ baseDelayMs: -1 })).toThrow();
    expect(() => RetryPolicySchema.parse({ jitter: 1.5 })).toThrow();
  });
});

describe('server hints', () => {
  it('Retry-After delta-seconds', () => {
    expect(parseRetryAfter('120', T0)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', T0)).toBe(0);
  });
  it('Retry-After HTTP-date relative to the injected now', () => {
    const at = new Date(T0 + 90_000).toUTCString();
    expect(parseRetryAfter(at, T0)).toBe(90_000);
    expect(parseRetryAfter(new Date(T0 - 5000).toUTCString(), T0)).toBe(0);
  });
  it('Retry-After garbage is ignored', () => {
    expect(parseRetryAfter('soon', T0)).toBeUndefined();
    expect(parseRetryAfter('1.5', T0)).toBeUndefined();
    expect(parseRetryAfter(undefined, T0)).toBeUndefined();
  });
  it('X-Rate-Limit-Reset epoch seconds (and small values as seconds from now)', () => {
    expect(parseRateLimitReset(String(T0 / 1000 + 45), T0)).toBe(45_000);
    expect(parseRateLimitReset('30', T0)).toBe(30_000);
    expect(parseRateLimitReset('abc', T0)).toBeUndefined();
  });
  it('Retry-After wins over X-Rate-Limit-Reset', () => {
    expect(retryHintMs({ 'retry-after': '5', 'x-rate-limit-reset': String(T0 / 1000 + 60) }, T0)).toBe(5000);
    expect(retryHintMs({ 'x-rate-limit-reset': String(T0 / 1000 + 60) }, T0)).toBe(60_000);
    expect(retryHintMs({}, T0)).toBeUndefined();
  });
  it('the policy waits exactly the hinted time (floored at minDelay)', () => {
    const policy = RetryPolicySchema.parse({ minDelayMs: 1000 });
    expect(decideNextAttempt(policy, { attempt: 1, firstAttemptAt: T0, now: T0, outcome: status(429, 7000), rng: () => 0 }).delayMs).toBe(7000);
    expect(decideNextAttempt(policy, { attempt: 1, firstAttemptAt: T0, now: T0, outcome: status(503, 0) }).delayMs).toBe(1000);
  });
  it('a hint beyond the give-up window goes dead at once', () => {
    const d = decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 1, firstAttemptAt: T0, now: T0, outcome: status(429, 2 * 3_600_000) });
    expect(d.action).toBe('dead');
    expect(d.reason).toMatch(/server asked to wait 2 h.*HTTP 429/);
  });
});

describe('circuit-open deferral', () => {
  const outcome: AttemptOutcome = { ok: false, error: { kind: 'circuit_open', message: 'circuit open' }, retryAfterMs: 12_000 };
  it('waits until the probe time and does not count as an attempt', () => {
    const d = decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 3, firstAttemptAt: T0, now: T0 + 40 * 60_000, outcome });
    expect(d).toMatchObject({ action: 'retry', delayMs: 12_000, countsAsAttempt: false });
  });
  it('ends only after the unreachable window', () => {
    const d = decideNextAttempt(DEFAULT_RETRY_POLICY, { attempt: 3, firstAttemptAt: T0, now: T0 + 25 * 3_600_000, outcome });
    expect(d.action).toBe('dead');
  });
});

describe('toAttemptRow', () => {
  it('maps a result to a delivery-log row', async () => {
    const { toAttemptRow } = await import('../../src/dispatch/index.js');
    const base = { headers: {}, responseTruncated: false, startedAt: T0 };
    expect(toAttemptRow(2, { ...base, ok: false, status: 503, responseBody: 'busy', latencyMs: 12 })).toEqual({
      attempt: 2,
      at: '2026-01-01T00:00:00.000Z',
      statusCode: 503,
      latencyMs: 12,
      responseBody: 'busy',
    });
    expect(toAttemptRow(1, { ...base, ok: false, responseBody: '', latencyMs: 0, error: { kind: 'timeout', message: 'slow' } })).toEqual({
      attempt: 1,
      at: '2026-01-01T00:00:00.000Z',
      latencyMs: 0,
      error: 'timeout: slow',
    });
  });
});

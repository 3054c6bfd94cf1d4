import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHmac } from 'node:crypto';
import { MockAgent } from 'undici';
import { RetryPolicySchema, createDispatcher, deliverWithRetries, testSend } from '../../src/dispatch/index.js';
import type { AttemptRecord, WebhookDispatcher } from '../../src/dispatch/index.js';
import { closedPort, reply, serverPool, startServer } from './loopback.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const { start: server, closeAll: closeServers } = serverPool();
const dispatchers: WebhookDispatcher[] = [];

function dispatcher(options: Parameters<typeof createDispatcher>[0] = {}): WebhookDispatcher {
  const d = createDispatcher({ allowedHosts: '127.0.0.1', timeoutMs: 5_000, connectTimeoutMs: 2_000, ...options });
  dispatchers.push(d);
  return d;
}


/** A fake clock that `sleep` advances: retries run instantly, in simulated time. */
function fakeTime(start = T0) {
  const clock = { now: start, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.now += ms;
    },
  };
}

const policy = RetryPolicySchema.parse({ baseDelayMs: 1000, maxDelayMs: 60_000, minDelayMs: 100, giveUpAfterMs: 30 * 60_000 });

afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
  await closeServers();
});

describe('retry rules over a real socket', () => {
  it('retries 500 and 503 and succeeds, with the same Idempotency-Key on every attempt', async () => {
    const codes = [500, 503, 200];
    const s = await server((_req, res, i) => reply(res, codes[i] ?? 200, 'ok'));
    const t = fakeTime();
    const records: AttemptRecord[] = [];
    const report = await deliverWithRetries(
      dispatcher({ now: t.now }),
      { url: `${s.origin}/hook`, method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, idempotencyKey: 'dlv-123' },
      policy,
      { sleep: t.sleep, now: t.now, rng: () => 0.5, onAttempt: (r) => void records.push(r) },
    );
    expect(report).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(s.seen.map((r) => r.headers['idempotency-key'])).toEqual(['dlv-123', 'dlv-123', 'dlv-123']);
    expect(s.seen.every((r) => r.body === '{"a":1}')).toBe(true);
    expect(records.map((r) => [r.attempt, r.result.status, r.decision.action])).toEqual([
      [1, 500, 'retry'],
      [2, 503, 'retry'],
      [3, 200, 'done'],
    ]);
    expect(t.clock.sleeps).toHaveLength(2);
  });

  it('retries 408 and 429 (honouring Retry-After seconds)', async () => {
    const s = await server((_req, res, i) => (i === 0 ? reply(res, 408) : i === 1 ? reply(res, 429, '', { 'retry-after': '7' }) : reply(res, 204)));
    const t = fakeTime();
    const report = await deliverWithRetries(dispatcher({ now: t.now }), { url: `${s.origin}/x`, idempotencyKey: 'k' }, policy, {
      sleep: t.sleep,
      now: t.now,
    });
    expect(report).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(t.clock.sleeps[1]).toBe(7000);
  });

  it.each([400, 404, 301])('does not retry %i', async (code) => {
    const s = await server((req, res) =>
      req.url === '/moved' ? reply(res, 200) : reply(res, code, 'nope', code === 301 ? { location: '/moved' } : {}),
    );
    const t = fakeTime();
    const report = await deliverWithRetries(dispatcher({ now: t.now }), { url: `${s.origin}/x`, idempotencyKey: 'k' }, policy, {
      sleep: t.sleep,
      now: t.now,
    });
    expect(report.status).toBe('failed');
    expect(report.attempts).toBe(1);
    expect(report.last.status).toBe(code);
    expect(s.seen.map((r) => r.url)).toEqual(['/x']); // the redirect target was never requested
  });

  it('goes dead with the last reason when the window runs out', async () => {
    const s = await server((_req, res) => reply(res, 502, 'bad gateway'));
    const t = fakeTime();
    const short = RetryPolicySchema.parse({ baseDelayMs: 1000, maxDelayMs: 4000, minDelayMs: 100, giveUpAfterMs: 10_000 });
    const report = await deliverWithRetries(dispatcher({ now: t.now }), { url: `${s.origin}/x`, idempotencyKey: 'k' }, short, {
      sleep: t.sleep,
      now: t.now,
      rng: () => 0.999,
    });
    expect(report.status).toBe('dead');
    expect(report.reason).toMatch(/^gave up after 10 s: HTTP 502$/);
    expect(report.attempts).toBe(s.seen.length);
    expect(report.attempts).toBeGreaterThan(3);
    expect(t.clock.now - T0).toBe(10_000);
  });

  it('connection refused is a connection error, retried in the unreachable window', async () => {
    const port = await closedPort();
    const result = await dispatcher().send({ url: `http://127.0.0.1:${port}/x`, idempotencyKey: 'k' });
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ kind: 'connection', code: 'ECONNREFUSED' });
  });
});

describe('failure kinds', () => {
  it('a DNS answer that never comes ends at the connect timeout, as a connection error', async () => {
    const d = dispatcher({ connectTimeoutMs: 200, lookup: () => undefined });
    const result = await d.send({ url: 'http://never-resolves.example/x', idempotencyKey: 'k' });
    expect(result.error).toMatchObject({ kind: 'connection', code: 'UND_ERR_CONNECT_TIMEOUT' });
  });

  it('a connection dropped mid-response is a network error (retryable, normal window)', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const result = await dispatcher().send({ url: `${s.origin}/drop`, idempotencyKey: 'k' });
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe('network');
  });
});

describe('server hints through the dispatcher', () => {
  it('Retry-After as an HTTP date, relative to the injected clock', async () => {
    const s = await server((_req, res) => reply(res, 503, '', { 'retry-after': new Date(T0 + 120_000).toUTCString() }));
    const result = await dispatcher({ now: () => T0 }).send({ url: `${s.origin}/x`, idempotencyKey: 'k' });
    expect(result.status).toBe(503);
    expect(result.retryAfterMs).toBe(120_000);
  });

  it('X-Rate-Limit-Reset as epoch seconds', async () => {
    const s = await server((_req, res) => reply(res, 429, '', { 'x-rate-limit-reset': String(T0 / 1000 + 30) }));
    const result = await dispatcher({ now: () => T0 }).send({ url: `${s.origin}/x`, idempotencyKey: 'k' });
    expect(result.retryAfterMs).toBe(30_000);
  });
});

describe('timeouts, truncation, concurrency', () => {
  it('a server that never answers times out within the total timeout', async () => {
    const s = await server(() => {
      /* hang */
    });
    const result = await dispatcher({ timeoutMs: 300 }).send({ url: `${s.origin}/hang`, idempotencyKey: 'k' });
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe('timeout');
    expect(result.error?.message).toContain('300 ms');
  });

  it('keeps at most responseBodyBytes of the body and says it truncated', async () => {
    const s = await server((_req, res) => reply(res, 200, 'x'.repeat(10_000)));
    const result = await dispatcher().send({ url: `${s.origin}/big`, idempotencyKey: 'k' });
    expect(result.responseBody).toHaveLength(4096);
    expect(result.responseTruncated).toBe(true);
  });

  it('never has more than maxConcurrencyPerHost requests in flight, and queues the rest', async () => {
    const s = await server((_req, res) => void setTimeout(() => reply(res, 200, 'ok'), 40));
    const d = dispatcher({ maxConcurrencyPerHost: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => d.send({ url: `${s.origin}/c${i}`, idempotencyKey: `k${i}` })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(s.seen).toHaveLength(12);
    expect(s.maxInFlight).toBe(3);
    expect(d.load(s.origin)).toEqual({ active: 0, waiting: 0 });
  });
});

describe('response headers', () => {
  it('responseHeaders: false leaves them out of the result, and Retry-After still counts', async () => {
    const s = await server((_req, res) => reply(res, 429, 'slow down', { 'retry-after': '7', 'x-request-id': 'r1' }));
    const d = dispatcher({ now: () => T0 });
    const request = { url: `${s.origin}/hook`, idempotencyKey: 'k' };
    const kept = await d.send(request);
    const left = await d.send(request, { responseHeaders: false });
    expect(kept.headers['x-request-id']).toBe('r1');
    expect(left.headers).toEqual({});
    expect(left).toMatchObject({ status: 429, responseBody: 'slow down', retryAfterMs: 7_000 });
  });
});

describe('Standard Webhooks signing', () => {
  const keyBytes = Buffer.from('liquidhook-test-signing-key-32by', 'utf8');
  const secret = `whsec_${keyBytes.toString('base64')}`;

  it('signs id.timestamp.body with HMAC-SHA256 of the decoded secret', async () => {
    const s = await server((_req, res) => reply(res, 200));
    const body = '{"lead":"ada@example.com","score":87}';
    await dispatcher({ now: () => T0 }).send({ url: `${s.origin}/signed`, body, idempotencyKey: 'msg_2xyz', signingSecret: secret });
    const h = s.seen[0]!.headers;
    expect(h['webhook-id']).toBe('msg_2xyz');
    expect(h['webhook-timestamp']).toBe(String(T0 / 1000));
    const expected = createHmac('sha256', keyBytes).update(`msg_2xyz.${T0 / 1000}.${body}`).digest('base64');
    expect(h['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('a malformed secret is an invalid request, not a throw, and nothing is sent', async () => {
    const s = await server((_req, res) => reply(res, 200));
    const result = await dispatcher().send({ url: `${s.origin}/x`, idempotencyKey: 'k', signingSecret: 'whsec_not base64!' });
    expect(result.error?.kind).toBe('invalid_request');
    expect(result.error?.message).toMatch(/whsec_/);
    expect(s.seen).toHaveLength(0);
  });
});

describe('circuit breaker and adaptive limit wired into send', () => {
  it('a host that answers keeps receiving: half 500s, or nothing but 429s, never hold a send back', async () => {
    const flaky = await server((_req, res, i) => reply(res, i % 2 ? 500 : 200));
    const d = dispatcher();
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => d.send({ url: `${flaky.origin}/f`, idempotencyKey: `f${i}` })));
    expect(results.filter((r) => r.error?.kind === 'circuit_open')).toEqual([]);
    expect(d.breakerState(flaky.origin).phase).toBe('closed');

    const limited = await server((_req, res) => reply(res, 429, '', { 'retry-after': '1' }));
    const throttledResults = await Promise.all(Array.from({ length: 60 }, (_, i) => d.send({ url: `${limited.origin}/l`, idempotencyKey: `l${i}` })));
    expect(throttledResults.map((r) => r.status)).toEqual(Array(60).fill(429));
    expect(d.breakerState(limited.origin).phase).toBe('closed');
  });

  it('429s lower how many requests a host gets at once', async () => {
    let throttle = true;
    const s = await server((_req, res) => void setTimeout(() => reply(res, throttle ? 429 : 200), 30));
    const d = dispatcher({ maxConcurrencyPerHost: 8 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => d.send({ url: `${s.origin}/a`, idempotencyKey: `a${i}` })));
    throttle = false;
    const before = s.maxInFlight;
    s.maxInFlight = 0;
    await Promise.all(Array.from({ length: 8 }, (_, i) => d.send({ url: `${s.origin}/b`, idempotencyKey: `b${i}` })));
    expect(before).toBe(8);
    // One round of 429s halves the limit; each accepted request adds back 1/limit.
    expect(s.maxInFlight).toBe(4);
  });

  it('a refused host: the circuit opens, held sends stay off the network, probes ramp up once it is back', async () => {
    const port = await closedPort();
    const origin = `http://127.0.0.1:${port}`;
    let now = T0;
    const d = dispatcher({ now: () => now });
    const refused = [];
    for (let i = 0; i < 3; i++) refused.push(await d.send({ url: `${origin}/x`, idempotencyKey: `r${i}` }));
    expect(refused.map((r) => r.error?.kind)).toEqual(['connection', 'connection', 'connection']);
    expect(d.breakerState(origin)).toEqual({ phase: 'open', until: T0 + 10_000 });
    // The third refusal opened the circuit: that send's next chance is the first probe.
    expect(refused.map((r) => r.circuitOpenForMs)).toEqual([undefined, undefined, 10_000]);

    now += 4_000;
    const held = await d.send({ url: `${origin}/x`, idempotencyKey: 'held' });
    expect(held).toMatchObject({ error: { kind: 'circuit_open' }, retryAfterMs: 6_000, latencyMs: 0 });

    const back = await startServer((_req, res) => void setTimeout(() => reply(res, 200), 100), port);
    try {
      now += 6_000;
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => d.send({ url: `${origin}/y`, idempotencyKey: `y${i}` })));
      expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
      // 1 probe, then 2, 4, 8, 16 at once: the ramp completes and the circuit closes.
      expect(back.inFlightAtArrival.slice(0, 3)).toEqual([1, 1, 2]);
      expect(Math.max(...back.inFlightAtArrival)).toBe(16);
      expect(d.breakerState(origin).phase).toBe('closed');
    } finally {
      await back.close();
    }
  });
});

describe('circuit breaker inside the delivery loop', () => {
  it('delays a send while the circuit is open and delivers on the probe (nothing dropped)', async () => {
    let healthy = false;
    const s = await server((_req, res) => reply(res, healthy ? 200 : 503));
    const t = fakeTime();
    const d = dispatcher({ now: t.now, breaker: { minRequests: 2, failureRateThreshold: 1, openDurationMs: 30_000 } });
    for (let i = 0; i < 2; i++) await d.send({ url: `${s.origin}/warm`, idempotencyKey: `w${i}` });
    expect(d.breakerState(s.origin).phase).toBe('open');
    healthy = true;
    const records: AttemptRecord[] = [];
    const report = await deliverWithRetries(d, { url: `${s.origin}/x`, idempotencyKey: 'held' }, policy, {
      sleep: t.sleep,
      now: t.now,
      onAttempt: (r) => void records.push(r),
    });
    expect(report).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(records.map((r) => r.result.error?.kind ?? r.result.status)).toEqual(['circuit_open', 200]);
    expect(t.clock.sleeps).toEqual([30_000]);
    expect(s.seen.filter((r) => r.url === '/x')).toHaveLength(1);
  });
});

describe('bad input and mocked upstreams', () => {
  let mock: MockAgent;
  beforeAll(() => {
    mock = new MockAgent();
    mock.disableNetConnect();
  });
  afterAll(() => mock.close());

  it('rejects non-http URLs as invalid requests', async () => {
    const d = dispatcher({ agent: mock });
    const result = await d.send({ url: 'ftp://example.com/x', idempotencyKey: 'k' });
    expect(result.error?.kind).toBe('invalid_request');
    expect((await d.send({ url: 'https://example.com/x', idempotencyKey: '' })).error?.kind).toBe('invalid_request');
  });

  it('testSend returns the full response of one attempt and scrubs only the request secrets', async () => {
    const big = JSON.stringify({ echoed: 'Bearer tok-abcdef-123', items: 'y'.repeat(8000) });
    mock.get('https://crm.example.com').intercept({ path: '/leads', method: 'POST' }).reply(201, big, { headers: { 'x-request-id': 'r1' } });
    const d = dispatcher({ agent: mock });
    const out = await testSend(d, {
      url: 'https://crm.example.com/leads',
      headers: { Authorization: 'Bearer tok-abcdef-123' },
      body: '{}',
      idempotencyKey: 'k',
    });
    expect(out.status).toBe(201);
    expect(out.headers['x-request-id']).toBe('r1');
    expect(out.body.length).toBeGreaterThan(8000);
    expect(out.truncated).toBe(false);
    expect(out.body).not.toContain('tok-abcdef-123');
    expect(out.request.headers.Authorization).toBe('Bearer [REDACTED]');
  });

  it('testSend makes exactly one attempt on a 503', async () => {
    mock.get('https://crm.example.com').intercept({ path: '/down', method: 'POST' }).reply(503, 'maintenance');
    const out = await testSend(dispatcher({ agent: mock }), { url: 'https://crm.example.com/down', idempotencyKey: 'k' });
    expect(out).toMatchObject({ ok: false, status: 503, body: 'maintenance' });
    mock.assertNoPendingInterceptors();
  });
});

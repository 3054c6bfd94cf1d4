import { afterAll, describe, expect, it } from 'vitest';
import { createThreadDispatcher } from '../../src/dispatch/thread-dispatcher.js';
import type { WebhookDispatcher } from '../../src/dispatch/index.js';
import { reply, startServer } from './loopback.js';
import type { LoopbackServer } from './loopback.js';

const servers: LoopbackServer[] = [];
const dispatchers: WebhookDispatcher[] = [];

async function server(handler: Parameters<typeof startServer>[0]): Promise<LoopbackServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

function dispatcher(options: Parameters<typeof createThreadDispatcher>[0] = {}): WebhookDispatcher {
  const d = createThreadDispatcher({ allowedHosts: '127.0.0.1', timeoutMs: 5_000, connectTimeoutMs: 2_000, ...options });
  dispatchers.push(d);
  return d;
}

afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
  await Promise.all(servers.map((s) => s.close()));
});

describe('dispatcher on a worker thread', () => {
  it('gives each of many concurrent sends its own response, within the per-host limit', async () => {
    const s = await server((req, res) => setTimeout(() => reply(res, 200, `echo ${req.url}`, { 'x-echo': String(req.headers['idempotency-key']) }), 5));
    const d = dispatcher({ maxConcurrencyPerHost: 4 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => d.send({ url: `${s.origin}/n${i}`, method: 'POST', body: `{"i":${i}}`, idempotencyKey: `k${i}` })),
    );
    expect(results.map((r) => r.responseBody)).toEqual(Array.from({ length: 40 }, (_, i) => `echo /n${i}`));
    expect(results.map((r) => r.headers['x-echo'])).toEqual(Array.from({ length: 40 }, (_, i) => `k${i}`));
    expect(s.seen.map((r) => r.body).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `{"i":${i}}`).sort());
    expect(s.maxInFlight).toBeLessThanOrEqual(4);
    expect(d.load(s.origin)).toEqual({ active: 0, waiting: 0 });
  });

  it('keeps the SSRF guard, timeouts and error kinds of the dispatcher', async () => {
    const d = dispatcher({ allowedHosts: '', timeoutMs: 200 });
    const blocked = await d.send({ url: 'http://127.0.0.1:9/x', idempotencyKey: 'k' });
    expect(blocked.error?.kind).toBe('ssrf_blocked');
    const s = await server(() => {
      /* never answers */
    });
    const hanging = await dispatcher({ timeoutMs: 200 }).send({ url: `${s.origin}/hang`, idempotencyKey: 'k' });
    expect(hanging.error?.kind).toBe('timeout');
  });

  it('reports the breaker state of an origin after its results', async () => {
    const s = await server((_req, res) => reply(res, 500));
    const d = dispatcher({ breaker: { minRequests: 3, failureRateThreshold: 0.5, openDurationMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await d.send({ url: `${s.origin}/b`, idempotencyKey: `k${i}` })).status).toBe(500);
    expect(d.breakerState(s.origin).phase).toBe('open');
    expect((await d.send({ url: `${s.origin}/b`, idempotencyKey: 'k4' })).error?.kind).toBe('circuit_open');
  });

  it('logs each attempt redacted on the calling thread', async () => {
    const s = await server((_req, res) => reply(res, 204));
    const lines: object[] = [];
    const d = dispatcher({ logger: { info: (obj) => void lines.push(obj) } });
    await d.send({ url: `${s.origin}/x`, headers: { Authorization: 'Bearer sk_live_secret' }, idempotencyKey: 'k' });
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toContain('"status":204');
    expect(JSON.stringify(lines[0])).not.toContain('sk_live_secret');
  });

  it('ends sends still in flight as network failures when closed', async () => {
    const s = await server(() => {
      /* never answers */
    });
    const d = createThreadDispatcher({ allowedHosts: '127.0.0.1' });
    const inFlight = d.send({ url: `${s.origin}/hang`, idempotencyKey: 'k' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await d.close();
    expect((await inFlight).error?.kind).toBe('network');
    await expect(d.send({ url: `${s.origin}/x`, idempotencyKey: 'k2' })).rejects.toThrow(/closed/);
  });
});

// Previews and test sends through the render pool, as a client sees its limits: 503 with
// Retry-After when the pool is full, 422 naming the limit when a render is stopped for its wall
// time or memory; the next request renders on a fresh thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { resolveApiKey } from '../../src/server/api-key.js';
import { buildApp } from '../../src/server/app.js';
import { createRenderPool, type RenderPool } from '../../src/render/pool/index.js';
import { KEY, realContext } from './helpers.js';

/** The engine's own limits raised out of the way, so the pool's stops are what ends a render. */
const UNBOUNDED = { renderTimeMs: 120_000, loopIterations: 1e12, memoryUnits: 1e15, outputBytes: 1e12 };
const ENDLESS = '{% for i in (1..100000) %}{% for j in (1..100000) %}{% assign x = j | plus: 1 %}{% endfor %}{% endfor %}';
const DOUBLING = '{% assign s = "0123456789abcdef" %}{% for i in (1..40) %}{% assign s = s | append: s | upcase %}{% endfor %}{{ s | size }}';
const webhook = (text: string) => ({ url: 'https://example.com/hook', method: 'POST', body: { type: 'raw', text } });

describe('previews through the render pool', () => {
  let context: Awaited<ReturnType<typeof realContext>>;
  const pools: RenderPool[] = [];
  const apps: FastifyInstance[] = [];
  /** One app on a pool that stops renders after 1.5 s, one on a pool of small threads with time to spare. */
  let timeBound: FastifyInstance;
  let memoryBound: FastifyInstance;
  const appWith = async (pool: RenderPool) => {
    pools.push(pool);
    const app = await buildApp({ context: { ...context, renderPool: pool }, apiKey: resolveApiKey(KEY, ':memory:') });
    apps.push(app);
    return app;
  };
  const preview = (app: FastifyInstance, text: string) =>
    app.inject({ method: 'POST', url: '/preview', headers: { authorization: `Bearer ${KEY}` }, payload: { webhook: webhook(text) } });

  beforeAll(async () => {
    context = await realContext();
    timeBound = await appWith(createRenderPool({ threads: 1, queue: 0, renderTimeMs: 1000, stopGraceMs: 500, memoryMb: 128, limits: UNBOUNDED }));
    memoryBound = await appWith(createRenderPool({ threads: 1, queue: 0, renderTimeMs: 60_000, memoryMb: 32, limits: UNBOUNDED }));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(pools.map((pool) => pool.close()));
    await context?.close();
  });

  it('answers 503 with Retry-After while every thread is busy and the queue is full', async () => {
    const running = preview(timeBound, ENDLESS);
    // Give the first request time to take the only thread.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await preview(timeBound, 'hello');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().message).toMatch(/every render thread is busy/);
    expect((await running).statusCode).toBe(422);
  });

  it('answers 422 naming the wall-time limit when a render overruns, then renders the next request', async () => {
    const stopped = await preview(timeBound, ENDLESS);
    expect(stopped.statusCode).toBe(422);
    expect(stopped.json()).toEqual({
      code: 'LH_LIMIT_EXCEEDED',
      message: 'render stopped: it ran past the 1500 ms a render may take',
      errors: [{ path: 'webhook', message: expect.stringContaining('render stopped') }],
    });
    const next = await preview(timeBound, 'ok {{ 2 | times: 3 }}');
    expect(next.statusCode).toBe(200);
    expect(next.json().body).toBe('ok 6');
  });

  it('answers 422 naming the memory limit when a render outgrows its thread, then renders the next request', async () => {
    const stopped = await preview(memoryBound, DOUBLING);
    expect(stopped.statusCode).toBe(422);
    expect(stopped.json().message).toBe('render stopped: it needed more than the 32 MB a render thread may use');
    const next = await preview(memoryBound, 'still {{ "here" }}');
    expect(next.statusCode).toBe(200);
    expect(next.json().body).toBe('still here');
  });
});

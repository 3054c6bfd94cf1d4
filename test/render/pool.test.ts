// The render pool: renders on worker threads, refuses work past its queue (503 upstream), and
// stops a thread whose render overruns its wall time or memory, replacing it for the next render.
import { afterAll, describe, expect, it } from 'vitest';
import { createRenderPool, RenderPoolBusyError, RenderStoppedError, type RenderPool, type RenderPoolOptions } from '../../src/render/pool/index.js';
import { parseWebhook, previewWebhook } from '../../src/render/index.js';

const pools: RenderPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

function pool(options: Partial<RenderPoolOptions> = {}): RenderPool {
  const p = createRenderPool({ threads: 1, queue: 4, renderTimeMs: 5000, memoryMb: 96, ...options });
  pools.push(p);
  return p;
}

const hook = (body: string) => parseWebhook({ url: 'https://example.com/hook', method: 'POST', body: { type: 'raw', text: body } });
/** Runs until something stops it: the engine's limits are raised out of the way in these tests. */
const ENDLESS = '{% for i in (1..100000) %}{% for j in (1..100000) %}{% assign x = j | plus: 1 %}{% endfor %}{% endfor %}';
const UNBOUNDED = { renderTimeMs: 120_000, loopIterations: 1e12, memoryUnits: 1e15, outputBytes: 1e12 };

describe('render pool', () => {
  it('renders a preview on a thread exactly as in-process, redaction included', async () => {
    const webhook = parseWebhook({
      url: 'https://example.com/leads/{{${user_id}}}',
      method: 'PATCH',
      headers: { Authorization: '{% connected_content https://auth.example/token :method post :save t %}Bearer {{t.access_token}}' },
      body: { type: 'raw', text: '{"score": {{custom_attribute.${lead score}}}}' },
    });
    const input = { webhook, attributes: { user_id: 'u1', custom_attribute: { 'lead score': 7 } }, connectedContent: 'stub' as const };
    const pooled = await pool().preview(input);
    const timeless = (p: typeof pooled) => ({ ...p, connectedContent: p.connectedContent.map((c) => ({ ...c, ms: 0 })) });
    expect(timeless(pooled)).toEqual(timeless(await previewWebhook(webhook, input)));
    expect(pooled.headers.Authorization).toBe('Bearer [REDACTED]');
    expect(pooled.body).toBe('{"score": 7}');
  });

  it('refuses a render when every thread is busy and the queue is full', async () => {
    const p = pool({ threads: 1, queue: 1, renderTimeMs: 400, stopGraceMs: 100, limits: UNBOUNDED });
    const slow = () => p.preview({ webhook: hook(ENDLESS), attributes: {}, connectedContent: 'stub' });
    const running = slow();
    const queued = slow();
    const refused = await slow().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RenderPoolBusyError);
    expect((refused as RenderPoolBusyError).retryAfterSeconds).toBe(1);
    expect(p.stats()).toMatchObject({ busy: 1, queued: 1 });
    await expect(running).rejects.toBeInstanceOf(RenderStoppedError);
    await expect(queued).rejects.toBeInstanceOf(RenderStoppedError);
  });

  it('stops a render past its wall time and renders the next one on a fresh thread', async () => {
    // A stop after 1.5 s: room for the next, ordinary render on a loaded machine.
    const p = pool({ renderTimeMs: 1000, stopGraceMs: 500, limits: UNBOUNDED });
    const t0 = performance.now();
    const error = await p.preview({ webhook: hook(ENDLESS), attributes: {}, connectedContent: 'stub' }).catch((e: unknown) => e);
    const ms = performance.now() - t0;
    expect(error).toBeInstanceOf(RenderStoppedError);
    expect((error as RenderStoppedError).reason).toBe('time');
    expect((error as Error).message).toBe('render stopped: it ran past the 1500 ms a render may take');
    expect(ms).toBeGreaterThanOrEqual(1500);
    const next = await p.preview({ webhook: hook('ok {{ 1 | plus: 1 }}'), attributes: {}, connectedContent: 'stub' });
    expect(next.body).toBe('ok 2');
  });

  it('stops a render that outgrows the thread memory and renders the next one on a fresh thread', async () => {
    const p = pool({ memoryMb: 32, limits: UNBOUNDED });
    const doubling = '{% assign s = "0123456789abcdef" %}{% for i in (1..40) %}{% assign s = s | append: s | upcase %}{% endfor %}{{ s | size }}';
    const error = await p.preview({ webhook: hook(doubling), attributes: {}, connectedContent: 'stub' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderStoppedError);
    expect((error as RenderStoppedError).reason).toBe('memory');
    expect((error as Error).message).toContain('32 MB');
    const next = await p.preview({ webhook: hook('still {{ "here" }}'), attributes: {}, connectedContent: 'stub' });
    expect(next.body).toBe('still here');
  });
});

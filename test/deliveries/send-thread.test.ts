import { afterAll, describe, expect, it } from 'vitest';
import { createSendThread, type SendThread } from '../../src/deliveries/send-thread.js';
import { buildLiquidContext } from '../../src/render/context.js';
import { parseWebhook } from '../../src/render/index.js';
import { parseCampaign } from '../../src/triggers/index.js';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { reply, serverPool } from '../dispatch/loopback.js';
import { guideCampaign } from '../e2e/helpers.js';

const { start: server, closeAll: closeServers } = serverPool();
const dispatchers: SendThread[] = [];
const fakes: FakeSalesforce[] = [];


function dispatcher(options: Parameters<typeof createSendThread>[0] = {}): SendThread {
  const d = createSendThread({ allowedHosts: '127.0.0.1', timeoutMs: 5_000, connectTimeoutMs: 2_000, ...options });
  dispatchers.push(d);
  return d;
}

afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
  await closeServers();
  await Promise.all(fakes.map((f) => f.close()));
});

describe('send thread: plain sends', () => {
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
    const d = createSendThread({ allowedHosts: '127.0.0.1' });
    const inFlight = d.send({ url: `${s.origin}/hang`, idempotencyKey: 'k' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await d.close();
    expect((await inFlight).error?.kind).toBe('network');
    await expect(d.send({ url: `${s.origin}/x`, idempotencyKey: 'k2' })).rejects.toThrow(/closed/);
    await expect(d.renderAndSend({ webhook: { url: 'http://127.0.0.1:1/' }, context: {}, secrets: [], idempotencyKey: 'k3' } as never)).rejects.toThrow(/closed/);
  });
});

describe('send thread: content blocks', () => {
  it('renders the blocks the main thread hands over, before the first job and after each change', async () => {
    const s = await server((_req, res) => reply(res, 204));
    let blocks: Record<string, string> = { greeting: 'v1 {{${first_name}}}' };
    const listeners = new Set<() => void>();
    const d = dispatcher({
      contentBlocks: { snapshot: () => blocks, onChange: (listener) => (listeners.add(listener), () => void listeners.delete(listener)) },
    });
    const job = (key: string) => ({
      webhook: parseWebhook({ url: `${s.origin}/hook`, method: 'POST', body: { type: 'raw', text: '{{content_blocks.${greeting}}}' } }),
      context: buildLiquidContext({ first_name: 'Ada' }, { externalId: 'u1' }),
      secrets: [],
      idempotencyKey: key,
    });
    expect((await d.renderAndSend(job('k1'))).result?.status).toBe(204);
    blocks = { greeting: 'v2 {{${first_name}}}' };
    for (const listener of listeners) listener();
    expect((await d.renderAndSend(job('k2'))).result?.status).toBe(204);
    expect(s.seen.map((r) => r.body)).toEqual(['v1 Ada', 'v2 Ada']);
  });
});

describe('send thread: render and send', () => {
  async function guide() {
    const fake = await startFakeSalesforce();
    fakes.push(fake);
    const campaign = parseCampaign(guideCampaign(fake));
    const job = (score: number, key: string) => ({
      webhook: campaign.webhook,
      context: buildLiquidContext({ 'lead score': score }, { externalId: '00Q9', trigger: {} }),
      secrets: [fake.clientSecret],
      idempotencyKey: key,
    });
    return { fake, job };
  }

  it('renders the guide webhook with its token fetch, sends it, and keeps only the redacted request', async () => {
    const { fake, job } = await guide();
    const lines: object[] = [];
    const d = dispatcher({ logger: { info: (obj) => void lines.push(obj) } });
    const attempts = await Promise.all([d.renderAndSend(job(150, 'k1')), d.renderAndSend(job(300, 'k2'))]);
    for (const attempt of attempts) {
      expect(attempt.result?.status).toBe(204);
      expect(attempt.prepared.kind).toBe('send');
      expect(JSON.stringify(attempt)).not.toContain(fake.clientSecret);
      expect(attempt).not.toHaveProperty('attemptLog');
    }
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.headers['idempotency-key']).sort()).toEqual(['k1', 'k2']);
    // Each PATCH carries a token the fake handed out (the guide's token call is not cached).
    expect(patches.map((r) => r.headers.authorization?.replace('Bearer ', '')).sort()).toEqual([...fake.tokens].sort());
    expect(lines).toHaveLength(2);
    for (const token of fake.tokens) expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('answers an abort without sending, and a render error as failed', async () => {
    const { fake, job } = await guide();
    const d = dispatcher();
    expect(await d.renderAndSend(job(3, 'k1'))).toEqual({ prepared: { kind: 'aborted', reason: 'not at threshold', log: { connected_content: expect.any(Array) } } });
    const broken = { ...job(150, 'k2'), webhook: { ...job(150, 'k2').webhook, body: '{% if %}' } };
    expect((await d.renderAndSend(broken)).prepared.kind).toBe('failed');
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});

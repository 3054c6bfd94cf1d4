import { afterAll, describe, expect, it } from 'vitest';
import { createSendThread, type ResolvedSend, type SendThread } from '../../src/deliveries/index.js';
import { buildLiquidContext } from '../../src/render/context.js';
import { parseWebhook } from '../../src/render/index.js';
import { parseCampaign } from '../../src/triggers/index.js';
import { startFakeSalesforce, type FakeSalesforce } from '../../examples/fake-salesforce.js';
import { reply, serverPool } from '../dispatch/loopback.js';
import { guideCampaign } from '../e2e/helpers.js';

const { start: server, closeAll: closeServers } = serverPool();
const threads: SendThread[] = [];
const fakes: FakeSalesforce[] = [];

function thread(options: Parameters<typeof createSendThread>[0] = {}): SendThread {
  const t = createSendThread({ allowedHosts: '127.0.0.1', timeoutMs: 5_000, connectTimeoutMs: 2_000, ...options });
  threads.push(t);
  return t;
}

/** A resolved send of a plain webhook: `body` posted to `url`. */
function plain(url: string, key: string, body = ''): ResolvedSend {
  return {
    webhook: { url, method: 'POST', headers: {}, body: { type: 'raw', text: body } } as ResolvedSend['webhook'],
    context: buildLiquidContext({}, { externalId: 'u1', trigger: {} }),
    secrets: [],
    idempotencyKey: key,
  };
}

afterAll(async () => {
  await Promise.all(threads.map((t) => t.close()));
  await closeServers();
  await Promise.all(fakes.map((f) => f.close()));
});

describe('send thread: attempts', () => {
  it('gives each of many concurrent sends its own response, within the per-host limit', async () => {
    const s = await server((req, res) => setTimeout(() => reply(res, 200, `echo ${req.url}`, { 'x-echo': String(req.headers['idempotency-key']) }), 5));
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const t = thread({ maxConcurrencyPerHost: 4 });
    const attempts = await Promise.all(Array.from({ length: 40 }, (_, i) => t.attempt(plain(`${s.origin}/n${i}`, `k${i}`, `{"i":${i}}`))));
    const results = attempts.map((a) => (a.kind === 'attempted' ? a.result : undefined));
    expect(results.map((r) => r?.responseBody)).toEqual(Array.from({ length: 40 }, (_, i) => `echo /n${i}`));
    expect(s.seen.map((r) => r.headers['idempotency-key']).sort()).toEqual([...keys].sort());
    // The worker stores no response headers: they stay on the send thread.
    expect(results.every((r) => r !== undefined && Object.keys(r.headers).length === 0)).toBe(true);
    expect(s.seen.map((r) => r.body).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `{"i":${i}}`).sort());
    expect(s.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('keeps the SSRF guard, timeouts and error kinds of the dispatcher', async () => {
    const blocked = await thread({ allowedHosts: '', timeoutMs: 200 }).attempt(plain('http://127.0.0.1:9/x', 'k'));
    expect(blocked).toMatchObject({ kind: 'attempted', result: { error: { kind: 'ssrf_blocked' } } });
    const s = await server(() => {
      /* never answers */
    });
    const hanging = await thread({ timeoutMs: 200 }).attempt(plain(`${s.origin}/hang`, 'k'));
    expect(hanging).toMatchObject({ kind: 'attempted', result: { error: { kind: 'timeout' } } });
  });

  it('logs each attempt redacted on the calling thread, and returns no log line', async () => {
    const s = await server((_req, res) => reply(res, 204));
    const lines: object[] = [];
    const t = thread({ logger: { info: (obj) => void lines.push(obj) } });
    const base = plain(`${s.origin}/x`, 'k');
    const attempted = await t.attempt({ ...base, webhook: { ...base.webhook, headers: { Authorization: 'Bearer sk_live_secret' } } });
    expect(attempted).not.toHaveProperty('attemptLog');
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toContain('"status":204');
    expect(JSON.stringify(lines[0])).not.toContain('sk_live_secret');
  });

  it('ends sends still in flight as network failures when closed, and refuses new ones', async () => {
    const s = await server(() => {
      /* never answers */
    });
    const t = createSendThread({ allowedHosts: '127.0.0.1' });
    const inFlight = t.attempt(plain(`${s.origin}/hang`, 'k'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await t.close();
    expect(await inFlight).toMatchObject({ kind: 'attempted', result: { error: { kind: 'network' } } });
    await expect(t.attempt(plain(`${s.origin}/x`, 'k2'))).rejects.toThrow(/closed/);
  });
});

describe('send thread: content blocks', () => {
  it('renders the blocks the main thread hands over, before the first job and after each change', async () => {
    const s = await server((_req, res) => reply(res, 204));
    let blocks: Record<string, string> = { greeting: 'v1 {{${first_name}}}' };
    const listeners = new Set<() => void>();
    const t = thread({
      contentBlocks: { snapshot: () => blocks, onChange: (listener) => (listeners.add(listener), () => void listeners.delete(listener)) },
    });
    const job = (key: string): ResolvedSend => ({
      webhook: parseWebhook({ url: `${s.origin}/hook`, method: 'POST', body: { type: 'raw', text: '{{content_blocks.${greeting}}}' } }),
      context: buildLiquidContext({ first_name: 'Ada' }, { externalId: 'u1' }),
      secrets: [],
      idempotencyKey: key,
    });
    expect(await t.attempt(job('k1'))).toMatchObject({ kind: 'attempted', result: { status: 204 } });
    blocks = { greeting: 'v2 {{${first_name}}}' };
    for (const listener of listeners) listener();
    expect(await t.attempt(job('k2'))).toMatchObject({ kind: 'attempted', result: { status: 204 } });
    expect(s.seen.map((r) => r.body)).toEqual(['v1 Ada', 'v2 Ada']);
  });
});

describe('send thread: render and send', () => {
  async function guide() {
    const fake = await startFakeSalesforce();
    fakes.push(fake);
    const campaign = parseCampaign(guideCampaign(fake));
    const send = (score: number, key: string): ResolvedSend => ({
      webhook: campaign.webhook,
      context: buildLiquidContext({ 'lead score': score }, { externalId: '00Q9', trigger: {} }),
      secrets: [fake.clientSecret],
      idempotencyKey: key,
    });
    return { fake, send };
  }

  it('renders the guide webhook with its token fetch, sends it, and keeps only the redacted request', async () => {
    const { fake, send } = await guide();
    const lines: object[] = [];
    const t = thread({ logger: { info: (obj) => void lines.push(obj) } });
    const attempts = await Promise.all([t.attempt(send(150, 'k1')), t.attempt(send(300, 'k2'))]);
    for (const attempted of attempts) {
      expect(attempted).toMatchObject({ kind: 'attempted', result: { status: 204 } });
      expect(JSON.stringify(attempted)).not.toContain(fake.clientSecret);
    }
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.headers['idempotency-key']).sort()).toEqual(['k1', 'k2']);
    // Each PATCH carries a token the fake handed out (the guide's token call is not cached).
    expect(patches.map((r) => r.headers.authorization?.replace('Bearer ', '')).sort()).toEqual([...fake.tokens].sort());
    expect(lines).toHaveLength(2);
    for (const token of fake.tokens) expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('answers an abort without sending, and a render error as failed with its code', async () => {
    const { fake, send } = await guide();
    const t = thread();
    expect(await t.attempt(send(3, 'k1'))).toEqual({ kind: 'aborted', reason: 'not at threshold', log: { connected_content: expect.any(Array) } });
    const ok = send(150, 'k2');
    const broken = { ...ok, webhook: { ...ok.webhook, body: { type: 'raw' as const, text: '{% if %}' } } };
    expect(await t.attempt(broken)).toMatchObject({ kind: 'failed', code: 'render_failed' });
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});

import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import type { ServerResponse } from 'node:http';
import { ConnectedContentFetchError } from '../../src/liquid/connected-content/fetcher.js';
import { RENDER_STATE, newRenderState } from '../../src/liquid/render-state.js';
import { abortOf, engine, json, render, startServer, type LoopbackServer } from './connected-content-helpers.js';

let server: LoopbackServer;
const hits = new Map<string, number>();
const held: ServerResponse[] = [];
const count = (path: string) => hits.get(path) ?? 0;

beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url.split('?')[0]!;
    hits.set(path, count(path) + 1);
    if (path.startsWith('/hang')) return void held.push(res);
    if (path === '/big-declared') return void res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
    if (path === '/big-chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 10; i++) res.write('y'.repeat(500));
      return void res.end();
    }
    if (path.startsWith('/flaky-')) {
      // Fails until the n-th hit, n given by the path: /flaky-3 answers 200 on the third hit.
      const okAt = Number(path.split('-')[1]);
      return count(path) >= okAt ? json(res, 200, { ok: true, hit: count(path) }) : json(res, 503, { error: 'busy' });
    }
    if (path === '/token') return setTimeout(() => json(res, 200, { access_token: 'burst-token', token_type: 'Bearer' }), 20);
    return json(res, 200, { path, hit: count(path) });
  });
});
afterAll(async () => {
  for (const res of held) res.destroy();
  await server.close();
});

describe('connected_content cache', () => {
  it('caches GET for 300 s by default: hit, then miss after expiry', async () => {
    let now = 1_000_000;
    const { liquid } = engine({}, { now: () => now });
    const tpl = `{% connected_content ${server.base}/get-default :save r %}{{ r.hit }}`;
    const first = await render(liquid, tpl);
    const second = await render(liquid, tpl);
    expect([first.output, second.output]).toEqual(['1', '1']);
    expect(second.state.calls[0]).toMatchObject({ cached: true, ms: 0, attempts: 0, status: 200 });
    now += 299_000;
    expect((await render(liquid, tpl)).output).toBe('1');
    now += 1_000;
    const third = await render(liquid, tpl);
    expect(third.output).toBe('2');
    expect(third.state.calls[0]!.cached).toBe(false);
    expect(count('/get-default')).toBe(2);
  });

  it('honours defaultGetCacheSeconds and :cache_max_age', async () => {
    let now = 0;
    const { liquid } = engine({ defaultGetCacheSeconds: 10 }, { now: () => now });
    const short = `{% connected_content ${server.base}/get-short :save r %}{{ r.hit }}`;
    const long = `{% connected_content ${server.base}/get-long :cache_max_age 900 :save r %}{{ r.hit }}`;
    await render(liquid, short);
    await render(liquid, long);
    now = 11_000;
    expect((await render(liquid, short)).output).toBe('2');
    now = 899_000;
    expect((await render(liquid, long)).output).toBe('1');
    now = 900_000;
    expect((await render(liquid, long)).output).toBe('2');
  });

  it('separate engines do not share a cache; different URLs do not collide', async () => {
    const a = engine().liquid;
    const b = engine().liquid;
    await render(a, `{% connected_content ${server.base}/per-engine %}`);
    await render(a, `{% connected_content ${server.base}/per-engine?x=1 %}`);
    await render(b, `{% connected_content ${server.base}/per-engine %}`);
    expect(count('/per-engine')).toBe(3);
  });

  it(':no_cache makes every GET go to the network', async () => {
    const { liquid } = engine();
    const tpl = `{% connected_content ${server.base}/no-cache :no_cache :save r %}{{ r.hit }}`;
    expect((await render(liquid, tpl)).output).toBe('1');
    expect((await render(liquid, tpl)).output).toBe('2');
  });

  it('POST is cached only with :cache_max_age, keyed by body', async () => {
    const { liquid } = engine();
    const plain = `{% connected_content ${server.base}/post-plain :method post :body a=1 :save r %}{{ r.hit }}`;
    await render(liquid, plain);
    expect((await render(liquid, plain)).output).toBe('2');
    const cached = (body: string) => `{% connected_content ${server.base}/post-cached :method post :body ${body} :cache_max_age 900 :save r %}{{ r.hit }}`;
    expect((await render(liquid, cached('a=1'))).output).toBe('1');
    const again = await render(liquid, cached('a=1'));
    expect(again.output).toBe('1');
    expect(again.state.calls[0]!.cached).toBe(true);
    expect((await render(liquid, cached('a=2'))).output).toBe('2');
  });

  it('does not cache failed responses', async () => {
    const { liquid } = engine();
    const tpl = `{% connected_content ${server.base}/flaky-2 :save r %}{{ r.ok }}`;
    expect((await render(liquid, tpl)).output).toBe('');
    expect((await render(liquid, tpl)).output).toBe('true');
    expect((await render(liquid, tpl)).output).toBe('true');
    expect(count('/flaky-2')).toBe(2);
  });

  it('a burst of 10,000 concurrent renders with :cache_max_age makes exactly one request', async () => {
    // The renders share one event loop with the server; a generous timeout keeps a busy
    // machine from turning this single-flight check into a timeout check.
    const { liquid } = engine({ timeoutMs: 30_000 });
    const template = liquid.parse(`{% connected_content ${server.base}/token
:method post
 :body client_id=id&client_secret=secret-value&grant_type=client_credentials
:cache_max_age 900
:save result %}Bearer {{result.access_token}}`);
    const states = Array.from({ length: 10_000 }, () => newRenderState());
    const outputs = await Promise.all(states.map((state) => liquid.render(template, { [RENDER_STATE]: state })));
    expect(count('/token')).toBe(1);
    expect(new Set(outputs)).toEqual(new Set(['Bearer burst-token']));
    const fetched = states.filter((s) => !s.calls[0]!.cached);
    expect(fetched).toHaveLength(1);
    expect(fetched[0]!.calls[0]).toMatchObject({ attempts: 1, status: 200, method: 'POST' });
  });
});

describe('connected_content limits', () => {
  it('times out a slow endpoint, renders blank and records the error', async () => {
    const { liquid } = engine({ timeoutMs: 150 });
    const { output, state, error } = await render(liquid, `[{% connected_content ${server.base}/hang-1 :save r %}]{% if r == nil %}nil{% endif %}`);
    expect(error).toBeUndefined();
    expect(output).toBe('[]nil');
    expect(state.calls[0]).toMatchObject({ error: 'timed out after 150 ms', attempts: 1, cached: false });
    expect(state.calls[0]!.status).toBeUndefined();
    expect(state.warnings[0]).toMatch(/hang-1: timed out after 150 ms/);
  });

  it('rejects responses above the size cap, declared or streamed', async () => {
    const { liquid } = engine({ maxResponseBytes: 1000 });
    for (const path of ['/big-declared', '/big-chunked']) {
      const { output, state } = await render(liquid, `[{% connected_content ${server.base}${path} %}]`);
      expect(output).toBe('[]');
      expect(state.calls[0]!.error).toBe('response larger than 1000 bytes');
    }
  });

  it('holds custom fetchers to the size cap too', async () => {
    const { liquid } = engine({ maxResponseBytes: 10, fetcher: async () => ({ status: 200, headers: {}, body: 'z'.repeat(11) }) });
    const { state } = await render(liquid, '{% connected_content https://x.test/ %}');
    expect(state.calls[0]!.error).toBe('response larger than 10 bytes');
  });

  it('records an invalid rendered URL as a failed call', async () => {
    const { liquid } = engine();
    const { output, state } = await render(liquid, '[{% connected_content https://[instance].my.salesforce.com/x %}]');
    expect(output).toBe('[]');
    expect(state.calls[0]!.error).toBe('invalid URL');
  });
});

describe('connected_content :retry', () => {
  it('retries 5xx with exponential backoff until success', async () => {
    const delays: number[] = [];
    const { liquid } = engine({ retryBaseDelayMs: 10 }, { sleep: async (ms) => void delays.push(ms) });
    const { output, state } = await render(liquid, `{% connected_content ${server.base}/flaky-3 :retry :save r %}{{ r.hit }}`);
    expect(output).toBe('3');
    expect(delays).toEqual([10, 20]);
    expect(state.calls[0]).toMatchObject({ status: 200, attempts: 3 });
  });

  it('aborts the message after five failed attempts', async () => {
    const delays: number[] = [];
    const { liquid } = engine({ retryBaseDelayMs: 1 }, { sleep: async (ms) => void delays.push(ms) });
    const { error, state } = await render(liquid, `{% connected_content ${server.base}/flaky-99 :retry :save r %}`);
    expect(count('/flaky-99')).toBe(5);
    expect(delays).toEqual([1, 2, 4, 8]);
    expect(abortOf(error)?.reason).toBe(`connected_content GET ${server.base}/flaky-99 failed after 5 attempts: HTTP 503`);
    expect(state.calls[0]).toMatchObject({ status: 503, attempts: 5 });
  });

  it('retries network errors and timeouts too', async () => {
    let calls = 0;
    const { liquid } = engine({
      retryBaseDelayMs: 1,
      fetcher: async () => {
        calls++;
        if (calls === 1) throw new Error('ECONNRESET');
        if (calls === 2) throw new ConnectedContentFetchError('timeout', 'timed out after 2000 ms');
        return { status: 200, headers: {}, body: '{"v":1}' };
      },
    });
    const { output, state } = await render(liquid, '{% connected_content https://x.test/ :retry :save r %}{{ r.v }}');
    expect(output).toBe('1');
    expect(state.calls[0]!.attempts).toBe(3);
  });

  it('does not retry a 404 and does not abort on it', async () => {
    let calls = 0;
    const { liquid } = engine({ fetcher: async () => (calls++, { status: 404, headers: {}, body: 'no' }) });
    const { output, error } = await render(liquid, '[{% connected_content https://x.test/ :retry %}]');
    expect(error).toBeUndefined();
    expect(output).toBe('[]');
    expect(calls).toBe(1);
  });

  it('without :retry a 5xx is tried once and renders blank', async () => {
    const { liquid } = engine();
    const { output, error, state } = await render(liquid, `[{% connected_content ${server.base}/flaky-50 %}]`);
    expect(error).toBeUndefined();
    expect(output).toBe('[]');
    expect(count('/flaky-50')).toBe(1);
    expect(state.calls[0]).toMatchObject({ status: 503, attempts: 1 });
  });
});

describe('connected_content redaction', () => {
  it('redacts secret query parameters and known secret values in records and warnings', async () => {
    const credentials = { svc: { token: 'cred-token-123' } };
    const { liquid } = engine({
      credentials,
      fetcher: async (req) => {
        if (req.url.includes('/fail')) throw new Error(`connection refused while sending ${req.headers.Authorization}`);
        return { status: 200, headers: {}, body: '{"access_token":"saved-tok-456","refresh_token":"saved-ref-789"}' };
      },
    });
    const { state } = await render(
      liquid,
      '{% connected_content https://x.test/t?api_key=k-999-secret&q=1 :save tok %}' +
        '{% connected_content https://x.test/fail?token={{ tok.access_token }}&q=2 :auth_credentials svc %}',
    );
    const logged = JSON.stringify(state.calls) + state.warnings.join('\n');
    for (const secret of ['k-999-secret', 'saved-tok-456', 'cred-token-123']) expect(logged).not.toContain(secret);
    expect(state.calls[0]!.url).toBe('https://x.test/t?api_key=[REDACTED]&q=1');
    expect(state.calls[1]!.url).toBe('https://x.test/fail?token=[REDACTED]&q=2');
    expect(state.calls[1]!.error).toBe('connection refused while sending Bearer [REDACTED]');
    expect([...state.secrets!]).toEqual(expect.arrayContaining(['saved-tok-456', 'saved-ref-789', 'cred-token-123']));
  });
});

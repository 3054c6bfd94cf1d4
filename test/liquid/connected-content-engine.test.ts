import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createLiquid } from '../../src/liquid/index.js';
import { json, startServer, type LoopbackServer } from './connected-content-helpers.js';

let server: LoopbackServer;
let tokenHits = 0;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url.split('?')[0]!;
    if (path === '/services/oauth2/token') {
      tokenHits++;
      return json(res, 200, { access_token: 'tok123', instance_url: 'https://example.my.salesforce.com', token_type: 'Bearer' });
    }
    if (path.startsWith('/users/')) return json(res, 200, { id: path.slice('/users/'.length), email: req.url.split('email=')[1] ?? '' });
    if (path === '/down') return json(res, 503, { error: 'down' });
    return void res.writeHead(404).end();
  });
});
afterAll(() => server.close());

const header = (base: string) => `{% connected_content ${base}/services/oauth2/token
:method post
 :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials
:save result %}
 Bearer {{result.access_token}}`;

describe('connected_content through createLiquid', () => {
  it('renders the Salesforce Authorization header and reports the call', async () => {
    const engine = createLiquid();
    const result = await engine.render(header(server.base), { user_id: 'u1' });
    expect(result.aborted).toBeUndefined();
    expect(result.output.trim()).toBe('Bearer tok123');
    expect(result.connectedContent).toEqual([
      expect.objectContaining({ url: `${server.base}/services/oauth2/token`, method: 'POST', status: 200, cached: false, saveAs: 'result', attempts: 1 }),
    ]);
    expect(JSON.stringify(result)).not.toContain('[client_secret]');
  });

  it('renders Braze ${attribute} syntax inside the URL', async () => {
    const engine = createLiquid();
    const result = await engine.render(
      `{% connected_content ${server.base}/users/{{\${user_id}}}?email={{\${email_address}}} :save u %}{{ u.id }} {{ u.email }}`,
      { user_id: 'abc', email_address: 'x.test' },
    );
    expect(result.output).toBe('abc x.test');
  });

  it('shares the response cache across renders of one engine', async () => {
    const engine = createLiquid();
    const before = tokenHits;
    const template = `{% connected_content ${server.base}/services/oauth2/token :method post :body a=1 :cache_max_age 900 :save t %}{{ t.access_token }}`;
    const results = await Promise.all([1, 2, 3].map(() => engine.render(template, {})));
    const again = await engine.render(template, {});
    expect(tokenHits - before).toBe(1);
    expect([...results, again].map((r) => r.output)).toEqual(['tok123', 'tok123', 'tok123', 'tok123']);
    expect(again.connectedContent[0]!.cached).toBe(true);
  });

  it('a :retry call that keeps failing aborts the message with a reason naming connected_content', async () => {
    const engine = createLiquid({ connectedContent: { retryBaseDelayMs: 1 } });
    const result = await engine.render(`{% connected_content ${server.base}/down :retry :save r %}body`, {});
    expect(result.aborted?.reason).toBe(`connected_content GET ${server.base}/down failed after 5 attempts: HTTP 503`);
    expect(result.connectedContent[0]).toMatchObject({ status: 503, attempts: 5 });
  });

  it('lets a template abort on a failed call, as Braze documents', async () => {
    const engine = createLiquid();
    const result = await engine.render(
      `{% connected_content ${server.base}/down :save r %}{% if r.__http_status_code__ != 200 %}{% abort_message('Connected Content returned a non-200 status code') %}{% endif %}sent`,
      {},
    );
    expect(result.aborted?.reason).toBe('Connected Content returned a non-200 status code');
    expect(result.warnings.some((w) => /connected_content GET .*\/down: HTTP 503/.test(w))).toBe(true);
  });

  it('an unknown credential aborts the message', async () => {
    const engine = createLiquid({ connectedContent: { credentials: { known: { username: 'u', password: 'p' } } } });
    const result = await engine.render(`{% connected_content ${server.base}/users/1 :basic_auth missing %}`, {});
    expect(result.aborted?.reason).toMatch(/^connected_content: unknown credential "missing" for :basic_auth/);
  });

  it('passes credentials, timeout and fetcher options through', async () => {
    const seen: Array<{ auth?: string; timeoutMs: number }> = [];
    const engine = createLiquid({
      connectedContent: {
        credentials: { crm: { token: 'crm-token-1' } },
        timeoutMs: 1234,
        fetcher: async (req) => {
          seen.push({ auth: req.headers.Authorization, timeoutMs: req.timeoutMs });
          return { status: 200, headers: {}, body: 'plain text' };
        },
      },
    });
    const result = await engine.render('{% connected_content https://crm.example.test/x :auth_credentials crm %}', {});
    expect(result.output).toBe('plain text');
    expect(seen).toEqual([{ auth: 'Bearer crm-token-1', timeoutMs: 1234 }]);
  });
});

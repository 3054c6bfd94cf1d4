import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { MockAgent } from 'undici';
import { abortOf, engine, json, render, startServer, type LoopbackServer } from './connected-content-helpers.js';

const TOKEN_RESPONSE = { access_token: 'tok123', instance_url: 'https://example.my.salesforce.com', token_type: 'Bearer' };

let server: LoopbackServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url.split('?')[0];
    if (path === '/services/oauth2/token') return json(res, 200, TOKEN_RESPONSE);
    if (path === '/text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('Fun fact: 42');
    if (path === '/json-as-text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('{"a":"b"}');
    if (path === '/array') return json(res, 200, [{ id: 1 }, { id: 2 }]);
    if (path === '/missing') return void res.writeHead(404).end('Not Found');
    if (path === '/error-json') return json(res, 422, { error: 'bad' });
    if (path === '/redirect') return void res.writeHead(302, { location: '/services/oauth2/token' }).end();
    if (path === '/echo') return json(res, 200, { method: req.method, headers: req.headers, body: req.body, url: req.url });
    return json(res, 200, { path });
  });
});
afterAll(() => server.close());

const canonical = (base: string) => `{% connected_content ${base}/services/oauth2/token
:method post
 :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials
:save result %}
 Bearer {{result.access_token}}`;

describe('connected_content: the Salesforce token call', () => {
  it('runs the canonical header template verbatim', async () => {
    const { liquid } = engine();
    const before = server.seen.length;
    const { output, state, error } = await render(liquid, canonical(server.base));
    expect(error).toBeUndefined();
    expect(output.trim()).toBe('Bearer tok123');

    const sent = server.seen.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe('POST');
    expect(sent[0]!.url).toBe('/services/oauth2/token');
    expect(sent[0]!.body).toBe('client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials');
    expect(sent[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent[0]!.headers['user-agent']).toMatch(/^liquidhook(\/\d+\.\d+\.\d+)?$/);

    expect(state.calls).toEqual([
      { url: `${server.base}/services/oauth2/token`, method: 'POST', status: 200, ms: expect.any(Number), cached: false, saveAs: 'result', attempts: 1 },
    ]);
    expect(JSON.stringify(state.calls)).not.toContain('[client_secret]');
    expect(state.secrets).toContain('tok123');
    expect(state.secrets).toContain('[client_secret]');
  });

  it('keeps a real client secret out of the call record and warnings', async () => {
    const { liquid } = engine();
    const template = canonical(server.base).replace('[client_secret]', 'S3cr3t-Value-99').replace('[client_id]', 'my-client');
    const { output, state } = await render(liquid, template);
    expect(output.trim()).toBe('Bearer tok123');
    expect(server.seen.at(-1)!.body).toContain('client_secret=S3cr3t-Value-99');
    expect(JSON.stringify(state.calls) + state.warnings.join()).not.toContain('S3cr3t-Value-99');
    expect(state.secrets).toContain('S3cr3t-Value-99');
  });

  it('POST is not cached by default: two renders make two token requests', async () => {
    const { liquid } = engine();
    const before = server.seen.length;
    await render(liquid, canonical(server.base));
    const { state } = await render(liquid, canonical(server.base));
    expect(server.seen.length - before).toBe(2);
    expect(state.calls[0]!.cached).toBe(false);
  });
});

describe('connected_content: responses', () => {
  it('prints a text response in place of the tag', async () => {
    const { liquid } = engine();
    const { output, state } = await render(liquid, `Hi: {% connected_content ${server.base}/text %}!`);
    expect(output).toBe('Hi: Fun fact: 42!');
    expect(state.calls[0]).toMatchObject({ status: 200, method: 'GET' });
  });

  it('stores a JSON response in `connected` without :save, printing nothing', async () => {
    const { liquid } = engine();
    const { output } = await render(liquid, `[{% connected_content ${server.base}/json-as-text %}]{{ connected.a }}`);
    expect(output).toBe('[]b');
  });

  it('adds __http_status_code__ to an object but not to an array', async () => {
    const { liquid } = engine();
    const { output } = await render(
      liquid,
      `{% connected_content ${server.base}/services/oauth2/token :save t %}{% connected_content ${server.base}/array :save list %}` +
        `{{ t.__http_status_code__ }}|{{ list.size }}|{{ list[1].id }}|{{ list.__http_status_code__ }}`,
    );
    expect(output).toBe('200|2|2|');
  });

  it('saves a text response as a string with :save', async () => {
    const { liquid } = engine();
    const { output } = await render(liquid, `{% connected_content ${server.base}/text :save fact %}<{{ fact | upcase }}>`);
    expect(output).toBe('<FUN FACT: 42>');
  });

  it('renders blank for a 404, leaves the variable nil and warns', async () => {
    const { liquid } = engine();
    const { output, state } = await render(
      liquid,
      `[{% connected_content ${server.base}/missing :save r %}]{% if r == nil %}nil{% else %}set{% endif %}`,
      { r: 'stale' },
    );
    expect(output).toBe('[]nil');
    expect(state.calls[0]).toMatchObject({ status: 404, cached: false });
    expect(state.warnings[0]).toMatch(/connected_content GET .*\/missing: HTTP 404/);
  });

  it('keeps a JSON error body with its status so templates can abort on it', async () => {
    const { liquid } = engine();
    const { output } = await render(
      liquid,
      `{% connected_content ${server.base}/error-json :save r %}{% if r.__http_status_code__ != 200 %}status {{ r.__http_status_code__ }}: {{ r.error }}{% endif %}`,
    );
    expect(output).toBe('status 422: bad');
  });

  it('does not follow redirects', async () => {
    const { liquid } = engine();
    const before = server.seen.length;
    const { output, state } = await render(liquid, `[{% connected_content ${server.base}/redirect :save r %}]{{ r.access_token }}`);
    expect(output).toBe('[]');
    expect(server.seen.slice(before).map((s) => s.url)).toEqual(['/redirect']);
    expect(state.calls[0]).toMatchObject({ status: 302 });
  });
});

describe('connected_content: rendering Liquid in the call', () => {
  it('renders the URL in the current scope, filters included', async () => {
    const { liquid } = engine();
    const { output } = await render(
      liquid,
      `{% assign id = "u 1" %}{% connected_content ${server.base}/echo?email={{ email | url_encode }}&user_id={{id | url_encode}} :save r %}{{ r.url }}`,
      { email: 'a+b@x.test' },
    );
    expect(output).toBe('/echo?email=a%2Bb%40x.test&user_id=u+1');
  });

  it('renders Liquid in header values and sends them', async () => {
    const { liquid } = engine();
    const template = `{% connected_content ${server.base}/echo
     :headers {
       "X-App-Id": "{{ app_id }}",
       "Authorization": "Bearer {{ token | default: \"none\" }}"
     }
     :save r %}{{ r.headers["x-app-id"] }}|{{ r.headers.authorization }}`;
    const { output, state } = await render(liquid, template, { app_id: 'app-7', token: 'abc123token' });
    expect(output).toBe('app-7|Bearer abc123token');
    expect(JSON.stringify(state.calls)).not.toContain('abc123token');
  });

  it('sends a form body as JSON with :content_type application/json', async () => {
    const { liquid } = engine();
    const { output } = await render(
      liquid,
      `{% assign campaign_name = "Sale" %}{% connected_content ${server.base}/echo :method post :body campaign={{campaign_name}}&customer={{user_id}}&channel=Braze :content_type application/json :save r %}{{ r.body }}|{{ r.headers["content-type"] }}|{{ r.headers.accept }}`,
      { user_id: 'u9' },
    );
    expect(output).toBe('{"campaign":"Sale","customer":"u9","channel":"Braze"}|application/json|application/json');
  });

  it('sends an inline or captured JSON body as written', async () => {
    const { liquid } = engine();
    const inline = await render(
      liquid,
      `{% connected_content ${server.base}/echo :method post :body {"foo":"bar","baz":"{{1|plus:1}}"} :content_type application/json :save r %}{{ r.body }}`,
    );
    expect(inline.output).toBe('{"foo":"bar","baz":"2"}');
    const captured = await render(
      liquid,
      `{% capture postbody %}{"foo": "bar", "baz": "{{ 1 | plus: 1 }}"}{% endcapture %}{% connected_content ${server.base}/echo :method post :body {{postbody}} :content_type application/json :save r %}{{ r.body }}`,
    );
    expect(captured.output).toBe('{"foo": "bar", "baz": "2"}');
  });

  it('GET may carry a :body, with the token from an earlier call in a header', async () => {
    const { liquid } = engine();
    const { output } = await render(
      liquid,
      `{% connected_content ${server.base}/services/oauth2/token :method post :save token_response %}` +
        `{% connected_content ${server.base}/echo
     :headers {
       "Content-Type": "application/x-www-form-urlencoded",
       "Authorization": "Bearer {{token_response.access_token}}"
     }
     :body key1=value1&key2=value2
     :save response
%}{{ response.method }}|{{ response.body }}|{{ response.headers.authorization }}`,
    );
    expect(output).toBe('GET|key1=value1&key2=value2|Bearer tok123');
  });

  it('a JSON Content-Type given in :headers also JSON-encodes a form body', async () => {
    const { liquid } = engine();
    const { output } = await render(
      liquid,
      `{% connected_content ${server.base}/echo :method post :headers {"Content-Type":"application/json"} :body a=1 :save r %}{{ r.body }}`,
    );
    expect(output).toBe('{"a":"1"}');
  });

  it('GET sends Content-Type application/json and Accept */* by default', async () => {
    const { liquid } = engine({ userAgent: 'custom-agent/1' });
    const { output } = await render(
      liquid,
      `{% connected_content ${server.base}/echo :save r %}{{ r.method }}|{{ r.headers["content-type"] }}|{{ r.headers.accept }}|{{ r.headers["user-agent"] }}`,
    );
    expect(output).toBe('GET|application/json|*/*|custom-agent/1');
  });
});

describe('connected_content: credentials', () => {
  const credentials = {
    basic_cred: { username: 'api-user', password: 'pa55word-xyz' },
    token_cred: { token: 'tkn-abcdef' },
  };

  it(':basic_auth sends a Basic header from the named credential', async () => {
    const { liquid } = engine({ credentials });
    const { output, state } = await render(liquid, `{% connected_content ${server.base}/echo :basic_auth basic_cred :save r %}{{ r.headers.authorization }}`);
    expect(output).toBe(`Basic ${Buffer.from('api-user:pa55word-xyz').toString('base64')}`);
    expect(state.secrets).toContain('pa55word-xyz');
    expect(JSON.stringify(state.calls)).not.toContain('pa55word');
  });

  it(':auth_credentials sends the token as a Bearer header', async () => {
    const { liquid } = engine({ credentials });
    const { output } = await render(
      liquid,
      `{% connected_content ${server.base}/echo :method post :auth_credentials token_cred :body a=1 :save r %}{{ r.headers.authorization }}`,
    );
    expect(output).toBe('Bearer tkn-abcdef');
  });

  it('an unknown credential aborts the message with a clear reason, without a request', async () => {
    const { liquid } = engine({ credentials });
    const before = server.seen.length;
    const { error } = await render(liquid, `{% connected_content ${server.base}/echo :basic_auth nope %}`);
    expect(abortOf(error)?.reason).toBe('connected_content: unknown credential "nope" for :basic_auth (configured: basic_cred, token_cred)');
    expect(server.seen.length).toBe(before);
  });

  it('credential names come only from options, never from scope variables', async () => {
    const { liquid } = engine({});
    const { error } = await render(liquid, `{% connected_content ${server.base}/echo :auth_credentials token_cred %}`, { token_cred: { token: 'x' } });
    expect(abortOf(error)?.reason).toMatch(/unknown credential "token_cred".*no credentials are configured/);
  });
});

describe('connected_content: engine wiring', () => {
  it('uses the given undici dispatcher', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get('https://api.example.test').intercept({ path: '/v1/thing', method: 'GET' }).reply(200, { name: 'mocked' });
    const { liquid } = engine({ dispatcher: agent });
    const { output, state } = await render(liquid, '{% connected_content https://api.example.test/v1/thing :save t %}{{ t.name }}');
    expect(output).toBe('mocked');
    expect(state.calls[0]).toMatchObject({ status: 200, url: 'https://api.example.test/v1/thing' });
    await agent.close();
  });

  it('a fetcher replaces the network entirely', async () => {
    const requests: unknown[] = [];
    const { liquid } = engine({
      fetcher: async (req) => {
        requests.push(req);
        return { status: 200, headers: {}, body: '{"stub":true}' };
      },
    });
    const { output } = await render(liquid, '{% connected_content https://nowhere.invalid/x :save s %}{{ s.stub }}');
    expect(output).toBe('true');
    expect(requests).toEqual([expect.objectContaining({ url: 'https://nowhere.invalid/x', method: 'GET', timeoutMs: 2000, maxBytes: 1048576 })]);
  });

  it('reports markup errors at parse time', async () => {
    const { liquid } = engine();
    expect(() => liquid.parse('{% connected_content https://x.test :method delete %}')).toThrow(/:method delete is not supported/);
  });

  it('refuses synchronous rendering with a clear error', () => {
    const { liquid } = engine({ fetcher: async () => ({ status: 200, headers: {}, body: 'x' }) });
    expect(() => liquid.parseAndRenderSync('{% connected_content https://x.test %}')).toThrow(/asynchronous rendering/);
  });
});

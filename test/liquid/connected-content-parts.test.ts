import { describe, it, expect } from 'vitest';
import { parseConnectedContentMarkup, splitWords, MAX_CACHE_SECONDS } from '../../src/liquid/connected-content/markup.js';
import { buildRequest, cacheKey, cacheSeconds, jsonEncodeBody } from '../../src/liquid/connected-content/request.js';
import { formSecretValues, interpretResponse, tokenValues } from '../../src/liquid/connected-content/response.js';
import { SingleFlight, TtlLruCache } from '../../src/liquid/connected-content/cache.js';
import { isSecretKey } from '../../src/liquid/redact.js';

const limits = { userAgent: 'liquidhook/test', timeoutMs: 2000, maxBytes: 1024 };

describe('connected_content markup', () => {
  it('parses the canonical multi-line markup with an indented :body line', () => {
    const spec = parseConnectedContentMarkup(
      'https://[instance].my.salesforce.com/services/oauth2/token\n:method post\n :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials\n:save result ',
    );
    expect(spec).toEqual({
      url: 'https://[instance].my.salesforce.com/services/oauth2/token',
      method: 'POST',
      body: 'client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials',
      save: 'result',
      noCache: false,
      retry: false,
    });
  });

  it('keeps {{ ... }} with spaces and multi-line JSON headers as single values', () => {
    const words = splitWords('https://x.test/a?e={{ email | url_param_escape }}&id={{user_id}} :headers {\n "X-A": "b c",\n "X-T": "{{ t | default: \\"x\\" }}"\n } :retry');
    expect(words).toEqual([
      'https://x.test/a?e={{ email | url_param_escape }}&id={{user_id}}',
      ':headers',
      '{\n "X-A": "b c",\n "X-T": "{{ t | default: \\"x\\" }}"\n }',
      ':retry',
    ]);
  });

  it('reads every documented option', () => {
    const spec = parseConnectedContentMarkup(
      'https://x.test :method POST :body {"foo":"bar","baz":"{{1|plus:1}}"} :content_type application/json :headers {"X-A":"1"} :auth_credentials tok_cred :save out :cache_max_age 900 :no_cache :retry',
    );
    expect(spec).toMatchObject({
      method: 'POST',
      body: '{"foo":"bar","baz":"{{1|plus:1}}"}',
      contentType: 'application/json',
      headers: '{"X-A":"1"}',
      authCredentials: 'tok_cred',
      save: 'out',
      cacheMaxAge: 900,
      noCache: true,
      retry: true,
    });
    expect(parseConnectedContentMarkup('https://x.test :basic_auth my.cred').basicAuth).toBe('my.cred');
  });

  it.each([
    ['', /expected a URL/],
    [':save x', /expected a URL/],
    ['https://x.test :method put', /:method put is not supported/],
    ['https://x.test :save', /:save needs a value/],
    ['https://x.test :save a :save b', /given twice/],
    ['https://x.test :bogus 1', /unknown option :bogus/],
    ['https://x.test stray', /unexpected "stray"/],
    ['https://x.test :cache_max_age soon', /whole number of seconds/],
    ['https://x.test :save {{x}}', /:save must be a plain variable name/],
    ['https://x.test :basic_auth a :auth_credentials b', /either :basic_auth or :auth_credentials/],
    ['https://x.test :headers {"a":"b"', /unbalanced/],
    ['https://x.test/{{ user_id', /unclosed "\{\{"/],
  ])('rejects %j with a clear error', (markup, message) => {
    expect(() => parseConnectedContentMarkup(markup)).toThrow(message);
  });
});

describe('connected_content request building', () => {
  it('sends Braze default headers for GET and POST', () => {
    const get = buildRequest({ url: 'https://x.test', method: 'GET', headers: {} }, limits);
    expect(get.headers).toEqual({ 'User-Agent': 'liquidhook/test', Accept: '*/*', 'Content-Type': 'application/json' });
    const post = buildRequest({ url: 'https://x.test', method: 'POST', headers: {}, body: 'a=1' }, limits);
    expect(post.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(post.body).toBe('a=1');
  });

  it(':content_type sets both Content-Type and Accept; :headers override case-insensitively', () => {
    const req = buildRequest(
      { url: 'https://x.test', method: 'GET', headers: { accept: 'text/plain', 'X-Id': ' 7 ' }, contentType: 'application/xml' },
      limits,
    );
    expect(req.headers).toMatchObject({ 'Content-Type': 'application/xml', accept: 'text/plain', 'X-Id': '7' });
    expect(Object.keys(req.headers).filter((h) => h.toLowerCase() === 'accept')).toHaveLength(1);
  });

  it('JSON-encodes a form body when the content type is JSON and keeps a JSON body as written', () => {
    expect(jsonEncodeBody('key1=value1&key2=a%20b+c')).toBe('{"key1":"value1","key2":"a b c"}');
    expect(jsonEncodeBody('{"foo":"bar"}')).toBe('{"foo":"bar"}');
    const req = buildRequest(
      { url: 'https://x.test', method: 'POST', headers: {}, body: 'a=1&b=2', contentType: 'application/json' },
      limits,
    );
    expect(req.body).toBe('{"a":"1","b":"2"}');
  });

  it('builds Basic and token Authorization headers from credentials', () => {
    const basic = buildRequest(
      { url: 'https://x.test', method: 'GET', headers: {}, auth: { kind: 'basic_auth', name: 'c', credential: { username: 'u', password: 'p' } } },
      limits,
    );
    expect(basic.headers.Authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    const token = buildRequest(
      { url: 'https://x.test', method: 'GET', headers: {}, auth: { kind: 'auth_credentials', name: 't', credential: { token: 'abc' } } },
      limits,
    );
    expect(token.headers.Authorization).toBe('Bearer abc');
    const scheme = buildRequest(
      { url: 'https://x.test', method: 'GET', headers: {}, auth: { kind: 'auth_credentials', name: 't', credential: { token: 'Token abc' } } },
      limits,
    );
    expect(scheme.headers.Authorization).toBe('Token abc');
    expect(() =>
      buildRequest({ url: 'https://x.test', method: 'GET', headers: {}, auth: { kind: 'basic_auth', name: 'c', credential: { token: 'x' } } }, limits),
    ).toThrow(/credential "c" used by :basic_auth needs a username and password/);
  });

  it('rejects header injection', () => {
    expect(() => buildRequest({ url: 'https://x.test', method: 'GET', headers: { 'X-A': 'a\r\nX-B: b' } }, limits)).toThrow(/line break/);
    expect(() => buildRequest({ url: 'https://x.test', method: 'GET', headers: { 'Bad Name': 'x' } }, limits)).toThrow(/invalid header name/);
  });

  it('cache key covers URL, method, headers and body but not the User-Agent', () => {
    const base = { url: 'https://x.test/a', method: 'GET' as const, headers: {} };
    const key = cacheKey(buildRequest(base, limits));
    expect(cacheKey(buildRequest(base, { ...limits, userAgent: 'other' }))).toBe(key);
    expect(cacheKey(buildRequest({ ...base, url: 'https://x.test/b' }, limits))).not.toBe(key);
    expect(cacheKey(buildRequest({ ...base, headers: { Authorization: 'Bearer 1' } }, limits))).not.toBe(key);
    expect(cacheKey(buildRequest({ ...base, method: 'POST' }, limits))).not.toBe(key);
    expect(cacheKey(buildRequest({ ...base, body: 'a=1' }, limits))).not.toBe(cacheKey(buildRequest({ ...base, body: 'a=2' }, limits)));
  });

  it('cache lifetime: GET 300 s by default, POST only with :cache_max_age, :no_cache wins, 4 h cap', () => {
    expect(cacheSeconds('GET', { noCache: false }, 300)).toBe(300);
    expect(cacheSeconds('POST', { noCache: false }, 300)).toBe(0);
    expect(cacheSeconds('POST', { noCache: false, cacheMaxAge: 900 }, 300)).toBe(900);
    expect(cacheSeconds('GET', { noCache: true, cacheMaxAge: 900 }, 300)).toBe(0);
    expect(cacheSeconds('GET', { noCache: false, cacheMaxAge: 999_999 }, 300)).toBe(MAX_CACHE_SECONDS);
  });
});

describe('connected_content response handling', () => {
  const res = (status: number, body: string) => ({ status, headers: {}, body });

  it('stores JSON in :save or `connected`, adding __http_status_code__ to objects only', () => {
    expect(interpretResponse(res(200, '{"a":1}'), 'out')).toEqual({ output: '', variable: 'out', value: { a: 1, __http_status_code__: 200 } });
    expect(interpretResponse(res(200, '[1,2]'), undefined)).toEqual({ output: '', variable: 'connected', value: [1, 2] });
  });

  it('prints text inline without :save and stores it with :save', () => {
    expect(interpretResponse(res(200, 'Hello'), undefined)).toEqual({ output: 'Hello', variable: 'connected' });
    expect(interpretResponse(res(200, 'Hello'), 'out')).toEqual({ output: '', variable: 'out', value: 'Hello' });
  });

  it('renders blank and nil for failures; keeps error JSON objects with their status', () => {
    expect(interpretResponse(res(404, 'Not found'), undefined)).toEqual({ output: '', variable: 'connected', value: null });
    expect(interpretResponse(undefined, 'out')).toEqual({ output: '', variable: 'out', value: null });
    expect(interpretResponse(res(500, '{"error":"x"}'), 'out').value).toEqual({ error: 'x', __http_status_code__: 500 });
    expect(interpretResponse(res(500, '[1]'), 'out').value).toBeNull();
  });

  it('finds token values to redact', () => {
    expect(tokenValues({ access_token: 'tok123', token_type: 'Bearer', nested: { refresh_token: 'ref456', id_token: 'idt789' } })).toEqual([
      'tok123',
      'ref456',
      'idt789',
    ]);
    expect(formSecretValues('client_id=abc&client_secret=s3cr%2Bt&grant_type=x', isSecretKey)).toEqual(['s3cr%2Bt', 's3cr+t']);
  });
});

describe('connected_content cache', () => {
  it('expires entries by the injected clock and evicts the least recently used', () => {
    let now = 0;
    const cache = new TtlLruCache<string>(2, () => now);
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 1000);
    expect(cache.get('a')).toBe('A'); // a is now most recently used
    cache.set('c', 'C', 1000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe('C');
    now = 999;
    expect(cache.get('a')).toBe('A');
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
    cache.set('z', 'Z', 0);
    expect(cache.get('z')).toBeUndefined();
  });

  it('single-flight shares one run among concurrent callers and forgets it afterwards', async () => {
    const flights = new SingleFlight<number>();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const work = async () => {
      runs++;
      await gate;
      return 42;
    };
    const all = Promise.all([flights.run('k', work), flights.run('k', work), flights.run('k', work)]);
    release();
    const results = await all;
    expect(runs).toBe(1);
    expect(results.map((r) => r.shared)).toEqual([false, true, true]);
    expect(flights.size).toBe(0);
    await flights.run('k', work);
    expect(runs).toBe(2);
  });
});

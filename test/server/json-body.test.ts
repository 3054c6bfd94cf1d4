// Request bodies on every JSON route: malformed JSON names its line and column, a body nested
// deeper than the limit names the path of the too-deep value, a body without a JSON content type
// gets 415 with a hint; each refusal has the usual error shape and writes nothing.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveApiKey } from '../../src/server/api-key.js';
import { buildApp } from '../../src/server/app.js';
import { MAX_JSON_DEPTH, parseJsonBody } from '../../src/server/json-body.js';
import { findJsonSyntaxError } from '../../src/server/json-syntax.js';
import { KEY, realContext } from './helpers.js';

const auth = { authorization: `Bearer ${KEY}` };
const json = { ...auth, 'content-type': 'application/json' };

/** `{"attributes":[{"external_id":"deep","deep":[[[…1…]]]}]}` with `arrays` nested arrays. */
const deepTrack = (arrays: number): string =>
  `{"attributes":[{"external_id":"deep","deep":${'['.repeat(arrays)}1${']'.repeat(arrays)}}]}`;

describe('JSON request bodies', () => {
  let app: FastifyInstance;
  let context: Awaited<ReturnType<typeof realContext>>;
  beforeAll(async () => {
    context = await realContext();
    app = await buildApp({ context, apiKey: resolveApiKey(KEY, ':memory:') });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await context?.close();
  });

  const post = (url: string, payload: string, headers: Record<string, string> = json) => app.inject({ method: 'POST', url, payload, headers });

  it('malformed JSON: 400 with line and column, in the usual error shape, nothing written', async () => {
    const res = await post('/users/track', '{\n  "attributes": [\n    {"external_id": "broken", "score": 1,}\n  ]\n}');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'LH_INVALID_JSON',
      message: 'malformed JSON at line 3, column 42',
      errors: [{ path: '', message: 'expected a property name in double quotes at line 3, column 42 (offset 61)' }],
    });
    expect(await context.store.getProfile('broken')).toBeUndefined();
    // A mistake V8 reports without any position still gets one.
    const bare = await post('/campaigns', '{"name": tru}');
    expect(bare.json().message).toBe('malformed JSON at line 1, column 13');
  });

  it(`5,000 nested arrays: 400 naming the too-deep value's path, not a stack overflow; nothing written`, async () => {
    const res = await post('/users/track', deepTrack(5000));
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.message).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(body.errors).toEqual([{ path: 'attributes[0].deep[0][0][0]…[0][0]', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }]);
    expect(await context.store.getProfile('deep')).toBeUndefined();
  });

  it('the limit applies to every JSON route, and a body at the limit is accepted', async () => {
    const campaign = await app.inject({ method: 'PUT', url: '/campaigns/deep', payload: `{"name":${'['.repeat(100)}${']'.repeat(100)}}`, headers: json });
    expect(campaign.statusCode).toBe(400);
    expect(campaign.json().errors[0].path).toBe('name[0][0][0][0][0]…[0][0]');
    // Body, attributes array and user object are three levels: 61 arrays reach the limit exactly.
    expect((await post('/users/track', deepTrack(MAX_JSON_DEPTH - 3))).statusCode).toBe(201);
    expect((await post('/users/track', deepTrack(MAX_JSON_DEPTH - 2))).statusCode).toBe(400);
  });

  it('a body without a content type, or with another one, gets 415 with a hint', async () => {
    const none = await app.inject({ method: 'POST', url: '/users/track', payload: '{"attributes":[]}', headers: auth });
    expect(none.statusCode).toBe(415);
    const hint = 'a request body needs a content type; send Content-Type: application/json';
    expect(none.json()).toEqual({ code: 'LH_UNSUPPORTED_MEDIA_TYPE', message: hint, errors: [{ path: '', message: hint }] });
    const xml = await post('/users/track', '<attributes/>', { ...auth, 'content-type': 'application/xml; charset=utf-8' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().message).toBe('unsupported content type application/xml; send Content-Type: application/json');
    // A content type fastify cannot even read is answered the same way.
    const garbled = await post('/users/track', '{}', { ...auth, 'content-type': 'not a type' });
    expect(garbled.statusCode).toBe(415);
    expect(garbled.json().code).toBe('LH_UNSUPPORTED_MEDIA_TYPE');
    expect(garbled.json().errors).toEqual([{ path: '', message: 'unsupported content type not a type; send Content-Type: application/json' }]);
    // A request without a body needs no content type.
    expect((await app.inject({ method: 'GET', url: '/campaigns', headers: auth })).statusCode).toBe(200);
  });

  it('an empty body and prototype keys are refused with a path', async () => {
    const empty = await post('/users/track', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toEqual({ code: 'LH_INVALID_JSON', message: 'empty body', errors: [{ path: '', message: 'expected a JSON value' }] });
    const proto = await post('/users/track', '{"attributes":[{"external_id":"p","x":{"__proto__":{"admin":true}}}]}');
    expect(proto.statusCode).toBe(400);
    expect(proto.json().errors).toEqual([{ path: 'attributes[0].x.__proto__', message: '"__proto__" may not be used as a property name' }]);
  });
});

describe('findJsonSyntaxError', () => {
  it.each([
    ['{"a":1,}', 7, 'a property name in double quotes'],
    ['{"a" 1}', 5, "':'"],
    ['[1,2', 4, "',' or ']'"],
    ['\n\n  {"a": [1, 2,, 3]}', 16, 'a value'],
    ['{"a":1}x', 7, 'the end of the body'],
    ['"abc', 4, `a closing '"'`],
    ['{"a":"\\q"}', 6, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)'],
    ['{"a":-}', 6, 'a digit'],
    ['nul', 3, '"null"'],
  ])('%j breaks at offset %i, expecting %s', (text, offset, expected) => {
    expect(findJsonSyntaxError(text)).toMatchObject({ offset, expected });
  });

  it('finds nothing wrong in valid JSON, and agrees with JSON.parse', () => {
    for (const text of ['{}', '[]', '0', '-1.5e+3', '"\\u00e9\\n"', ' {"a":[1,{"b":null}],"c":true} ']) {
      expect(findJsonSyntaxError(text), text).toBeUndefined();
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });

  it('brackets inside strings, escaped quotes included, do not count as nesting', () => {
    const text = JSON.stringify({ a: `\\"${'['.repeat(200)}"\\`, b: [[{ c: '{{{' }]] });
    expect(parseJsonBody(text)).toEqual(JSON.parse(text));
    expect(() => parseJsonBody(JSON.stringify({ a: 'x\\"', b: [[[1]]] }), 3)).toThrow('JSON nested deeper than 3 levels');
  });

  it('parseJsonBody walks a 100,000-deep body without recursion', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => parseJsonBody(text, 100_000)).not.toThrow();
    expect(() => parseJsonBody(text)).toThrow(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  });
});

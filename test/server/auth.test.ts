import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ZodApp } from '../../src/server/app.js';
import { resolveApiKey } from '../../src/server/api-key.js';
import { KEY, testContext } from './helpers.js';

const echoRoute = (app: ZodApp) =>
  app.post('/echo', { schema: { body: z.object({ items: z.array(z.object({ id: z.string() })) }) } }, async (req) => req.body);

const auth = { authorization: `Bearer ${KEY}` };

describe('API authentication and error shape', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({ context: testContext({ env: { LIQUIDHOOK_BODY_LIMIT_BYTES: '1024' } }), apiKey: resolveApiKey(KEY, ':memory:'), routes: [echoRoute] });
    await app.ready();
  });
  afterAll(() => app.close());

  it('rejects a request without a key with 401', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [] } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('rejects a wrong key and a non-bearer scheme', async () => {
    for (const authorization of [`Bearer ${KEY}x`, `Basic ${KEY}`, KEY]) {
      const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [] }, headers: { authorization } });
      expect(res.statusCode).toBe(401);
    }
  });

  it('accepts the right key', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [{ id: 'a' }] }, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [{ id: 'a' }] });
  });

  it('answers schema violations with 400 and field paths', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [{ id: 5 }] }, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'items[0].id' })]);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: '{"items": [',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/JSON/i);
  });

  it('answers an empty JSON body with 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: '', headers: { ...auth, 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toHaveProperty('message');
  });

  it('answers a content type it cannot read with 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: 'items=1', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toHaveProperty('message');
  });

  it('answers a body over the configured limit with 413', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ id: `item-${i}` }));
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { items }, headers: auth });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toHaveProperty('message');
  });

  it('keeps /health public', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', store: 'sqlite', database: 'reachable' });
  });

  it('answers unknown routes with 401 before 404 so routes are not discoverable', async () => {
    expect((await app.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/nope', headers: auth })).statusCode).toBe(404);
  });

  it('answers a malformed URL with 400 in the error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/users/%E0%A4%A', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toHaveProperty('message');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pino } from 'pino';
import { buildApp, type ZodApp } from '../../src/server/app.js';
import { resolveApiKey } from '../../src/server/api-key.js';
import type { Store } from '../../src/store/types.js';

const KEY = 'test-key-0123456789abcdef';
// Only what /health touches; every other method fails loudly if reached.
const store = new Proxy({ kind: 'sqlite', nextDueAt: async () => undefined } as Partial<Store>, {
  get: (target, prop) => (prop in target ? target[prop as keyof Store] : () => { throw new Error(`unexpected ${String(prop)}`); }),
}) as Store;

const echoRoute = (app: ZodApp) =>
  app.post('/echo', { schema: { body: z.object({ items: z.array(z.object({ id: z.string() })) }) } }, async (req) => req.body);

describe('API authentication and error shape', () => {
  const app = buildApp({ store, apiKey: resolveApiKey(KEY, ':memory:'), logger: pino({ level: 'silent' }), routes: [echoRoute] });
  beforeAll(() => app.ready());
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
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [{ id: 'a' }] }, headers: { authorization: `Bearer ${KEY}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [{ id: 'a' }] });
  });

  it('answers schema violations with 400 and field paths', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [{ id: 5 }] }, headers: { authorization: `Bearer ${KEY}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'items[0].id' })]);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: '{"items": [',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/JSON/i);
  });

  it('keeps /health public', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', store: 'sqlite' });
  });

  it('answers unknown routes with 401 before 404 so routes are not discoverable', async () => {
    expect((await app.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/nope', headers: { authorization: `Bearer ${KEY}` } })).statusCode).toBe(404);
  });
});

// /users/track refusals: a stored value that does not allow an operation is a 400 naming the
// field, never a 500, and nothing of the batch is applied.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.js';
import { resolveApiKey } from '../../src/server/api-key.js';
import { KEY, realContext } from './helpers.js';

const auth = { authorization: `Bearer ${KEY}` };

describe('/users/track refusals', () => {
  let app: FastifyInstance;
  let context: Awaited<ReturnType<typeof realContext>>;
  beforeAll(async () => {
    context = await realContext({ LIQUIDHOOK_BODY_LIMIT_BYTES: '2048' });
    app = await buildApp({ context, apiKey: resolveApiKey(KEY, ':memory:') });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await context?.close();
  });

  const track = (payload: unknown) => app.inject({ method: 'POST', url: '/users/track', payload: payload as object, headers: auth });

  it('answers inc on a text attribute with 400 and the quoted attribute path; nothing is applied', async () => {
    expect((await track({ attributes: [{ external_id: 'typed', 'plan name': 'gold' }] })).statusCode).toBe(201);
    const res = await track({
      attributes: [
        { external_id: 'fresh', 'lead score': 10 },
        { external_id: 'typed', 'lead score': 5 },
        { external_id: 'typed', 'plan name': { inc: 1 } },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'LH_ATTRIBUTE_OP',
      message: 'invalid /users/track request: nothing was applied',
      errors: [{ path: 'attributes[2]["plan name"]', message: expect.stringContaining('cannot inc a string') }],
    });
    expect(await context.store.getProfile('fresh')).toBeUndefined();
    expect((await context.store.getProfile('typed'))?.attributes).toEqual({ 'plan name': 'gold' });
  });

  it('answers add on a number with 400', async () => {
    await track({ attributes: [{ external_id: 'num', visits: 3 }] });
    const res = await track({ attributes: [{ external_id: 'num', visits: { add: ['x'] } }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'attributes[0].visits', message: expect.stringContaining('cannot add') }]);
  });

  it('keeps Braze field paths for invalid input', async () => {
    const res = await track({ attributes: [{ external_id: 'x', 'lead score': { inc: 'lots' } }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toContainEqual({ path: 'attributes[0]["lead score"].inc', message: 'inc must be a number' });
  });

  it('answers an empty request, a non-object body and a too-large body with 4xx', async () => {
    expect((await track({})).statusCode).toBe(400);
    expect((await track([1, 2])).statusCode).toBe(400);
    const big = { attributes: Array.from({ length: 60 }, (_, i) => ({ external_id: `u${i}`, note: 'x'.repeat(30) })) };
    const res = await track(big);
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/too large/i);
    const text = await app.inject({ method: 'POST', url: '/users/track', payload: 'attributes', headers: { ...auth, 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(400);
    expect(text.json().errors).toEqual([{ path: '', message: expect.any(String) }]);
  });

  it('ignores unknown top-level fields as Braze does, and names them in the answer', async () => {
    const res = await track({ api_key: 'legacy-key', attributes: [{ external_id: 'extra-fields', plan: 'gold' }], event: [] });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ message: 'success', attributes_processed: 1, ignored_fields: ['api_key', 'event'] });
    expect((await context.store.getProfile('extra-fields'))?.attributes).toEqual({ plan: 'gold' });
    const none = await track({ event: [{ external_id: 'x', name: 'e', time: '2024-01-01T00:00:00Z' }] });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors).toEqual([{ path: '', message: 'attributes, events and purchases are all empty (ignored: event)' }]);
  });

  it('answers a missing profile with 404 in snake_case, and a present one with its attributes', async () => {
    expect((await app.inject({ method: 'GET', url: '/users/nobody', headers: auth })).statusCode).toBe(404);
    const res = await app.inject({ method: 'GET', url: '/users/typed', headers: auth });
    expect(res.json()).toEqual({ external_id: 'typed', attributes: { 'plan name': 'gold' }, created_at: expect.any(String), updated_at: expect.any(String) });
  });
});

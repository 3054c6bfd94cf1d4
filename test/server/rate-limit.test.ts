// Rate limit: a tiny budget per minute, 429 with Retry-After once spent, /health exempt,
// unauthenticated callers counted apart from the API key.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, type ZodApp } from '../../src/server/app.js';
import { resolveApiKey } from '../../src/server/api-key.js';
import { KEY, testContext } from './helpers.js';

const pingRoute = (app: ZodApp) => app.get('/ping', { schema: { response: { 200: z.object({ ok: z.boolean() }) } } }, async () => ({ ok: true }));
const auth = { authorization: `Bearer ${KEY}` };

describe('rate limit', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const build = async (limit: string): Promise<FastifyInstance> => {
    app = await buildApp({ context: testContext({ env: { LIQUIDHOOK_RATE_LIMIT: limit } }), apiKey: resolveApiKey(KEY, ':memory:'), routes: [pingRoute] });
    await app.ready();
    return app;
  };

  it('answers 429 with Retry-After and the error shape once the budget is spent', async () => {
    const a = await build('3');
    for (let i = 0; i < 3; i++) expect((await a.inject({ method: 'GET', url: '/ping', headers: auth })).statusCode).toBe(200);
    const limited = await a.inject({ method: 'GET', url: '/ping', headers: auth });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.json()).toEqual({ code: 'LH_RATE_LIMITED', message: expect.stringMatching(/rate limit/i) });
  });

  it('never limits /health', async () => {
    const a = await build('2');
    for (let i = 0; i < 6; i++) expect((await a.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await a.inject({ method: 'GET', url: '/ping', headers: auth })).statusCode).toBe(200);
  });

  it('counts requests without a valid key apart from the key holder, so key guessing is slowed too', async () => {
    const a = await build('2');
    for (let i = 0; i < 2; i++) expect((await a.inject({ method: 'GET', url: '/ping', headers: { authorization: `Bearer wrong-${i}` } })).statusCode).toBe(401);
    expect((await a.inject({ method: 'GET', url: '/ping', headers: { authorization: 'Bearer wrong-again' } })).statusCode).toBe(429);
    expect((await a.inject({ method: 'GET', url: '/ping', headers: auth })).statusCode).toBe(200);
  });

  it('is off with LIQUIDHOOK_RATE_LIMIT=0', async () => {
    const a = await build('0');
    for (let i = 0; i < 10; i++) expect((await a.inject({ method: 'GET', url: '/ping', headers: auth })).statusCode).toBe(200);
  });
});

// While the database is out of reach the service stays up: /health answers 503 "degraded", and a
// request the database cannot take answers 503 with Retry-After (nothing was written), not 500.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntake } from '../../src/intake/index.js';
import { buildApp } from '../../src/server/app.js';
import { resolveApiKey } from '../../src/server/api-key.js';
import { registerUserRoutes } from '../../src/server/routes/users.js';
import { isStoreUnavailable } from '../../src/store/index.js';
import { KEY, stubStore, testContext } from './helpers.js';

const auth = { authorization: `Bearer ${KEY}` };
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it('knows a database restarting or out of reach from other failures', () => {
    for (const error of [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      pgError('08006', 'connection failure'),
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      pgError('SQLITE_BUSY', 'database is locked'),
      new AggregateError([pgError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432')], 'connect failed'),
      new Error('could not open the PostgreSQL store', { cause: pgError('ECONNREFUSED', 'refused') }),
    ]) {
      expect(isStoreUnavailable(error), error.message).toBe(true);
    }
    for (const error of [
      pgError('23505', 'duplicate key value violates unique constraint'),
      pgError('42P01', 'relation "deliveries" does not exist'),
      new Error('store is closed'),
      new TypeError('x is undefined'),
      'ECONNREFUSED',
      undefined,
    ]) {
      expect(isStoreUnavailable(error)).toBe(false);
    }
  });
});

describe('the API while the database is out of reach', () => {
  let app: FastifyInstance;
  let failure: Error = pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432');
  const writes: unknown[] = [];
  beforeAll(async () => {
    const store = stubStore({
      kind: 'postgres',
      nextDueAt: async () => {
        throw failure;
      },
      applyTrack: async (batch) => {
        writes.push(batch);
        throw failure;
      },
      getProfile: async () => {
        throw failure;
      },
    });
    const context = { ...testContext({ store }), intake: createIntake({ store, campaigns: { campaignEntries: () => [] } }) };
    app = await buildApp({ context, apiKey: resolveApiKey(KEY, ':memory:'), routes: [registerUserRoutes] });
    await app.ready();
  });
  afterAll(() => app.close());

  it('/health answers 503 degraded', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'degraded', store: 'postgres', database: 'unreachable' });
  });

  it('/users/track and reads answer 503 with Retry-After, for a refused connection and a server restart alike', async () => {
    for (const error of [pgError('ECONNREFUSED', 'connect ECONNREFUSED'), pgError('57P01', 'terminating connection due to administrator command')]) {
      failure = error;
      const track = await app.inject({ method: 'POST', url: '/users/track', headers: auth, payload: { attributes: [{ external_id: 'u1', score: 1 }] } });
      expect(track.statusCode).toBe(503);
      expect(track.headers['retry-after']).toBe('2');
      expect(track.json()).toEqual({ code: 'LH_DB_UNAVAILABLE', message: 'database unavailable: nothing was written, retry later' });
      const read = await app.inject({ method: 'GET', url: '/users/u1', headers: auth });
      expect(read.statusCode).toBe(503);
    }
    expect(writes).toHaveLength(2);
  });

  it('still answers 500 for a failure that is not the database being away', async () => {
    failure = new TypeError('a bug');
    const res = await app.inject({ method: 'POST', url: '/users/track', headers: auth, payload: { attributes: [{ external_id: 'u1', score: 1 }] } });
    expect(res.statusCode).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
  });
});

// The one error handler: representative errors of every kind come out of real routes with their
// catalogued code and status in the one body shape, and an unexpected failure is a 500 that
// shows nothing of what went wrong inside.
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayRefusedError } from '../../src/domain/index.js';
import { RenderPoolBusyError } from '../../src/render/pool/index.js';
import { buildApp } from '../../src/server/app.js';
import { resolveApiKey } from '../../src/server/api-key.js';
import { registerCampaignRoutes } from '../../src/server/routes/campaigns.js';
import { registerDeliveryRoutes } from '../../src/server/routes/deliveries.js';
import { registerUserRoutes } from '../../src/server/routes/users.js';
import { capturingLogger, KEY, stubStore, testContext } from './helpers.js';

const auth = { authorization: `Bearer ${KEY}` };
const campaign = {
  name: 'codes',
  trigger: { type: 'custom_event', event: 'signup' },
  webhook: { url: 'https://example.com/hook', method: 'POST', body: { type: 'raw', text: 'Hi {{ first_name }}' } },
};

describe('error codes in API responses', () => {
  let app: FastifyInstance;
  let campaignFound = false;
  const log = capturingLogger((stream) => pino({ level: 'warn' }, stream));
  beforeAll(async () => {
    const store = stubStore({
      getProfile: async () => {
        throw new Error('disk quota at /var/lib/liquidhook/secret-path');
      },
    });
    const context = {
      ...testContext({ store, logger: log.logger }),
      catalog: { lookup: async () => (campaignFound ? { id: 'c1', webhook: campaign.webhook, secrets: [] } : undefined), put: async () => undefined } as never,
      intake: {
        replay: async (id: string) => {
          throw new ReplayRefusedError(id, 'already_delivered', 'delivery was delivered: a replay sends it again; confirm with force');
        },
      } as never,
      renderPool: {
        preview: async () => {
          throw new RenderPoolBusyError(3);
        },
      } as never,
    };
    app = await buildApp({ context, apiKey: resolveApiKey(KEY, ':memory:'), routes: [registerCampaignRoutes, registerDeliveryRoutes, registerUserRoutes] });
    await app.ready();
  });
  afterAll(() => app.close());

  it('404 LH_NOT_FOUND for a missing campaign and for an unknown route', async () => {
    const missing = await app.inject({ method: 'GET', url: '/campaigns/nope', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'LH_NOT_FOUND', message: 'campaign nope not found' });
    const route = await app.inject({ method: 'GET', url: '/no-such-route', headers: auth });
    expect(route.statusCode).toBe(404);
    expect(route.json()).toEqual({ code: 'LH_NOT_FOUND', message: 'no route GET /no-such-route' });
  });

  it('409 LH_REPLAY_REFUSED with the rule\'s message', async () => {
    const res = await app.inject({ method: 'POST', url: '/deliveries/d1/replay', headers: auth });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ code: 'LH_REPLAY_REFUSED', message: 'delivery was delivered: a replay sends it again; confirm with force' });
  });

  it('400 LH_TEMPLATE_INVALID naming the field, line and column', async () => {
    const body = { ...campaign, webhook: { ...campaign.webhook, body: { type: 'raw', text: 'Hi\n{% if first_name %}unterminated' } } };
    const res = await app.inject({ method: 'POST', url: '/campaigns', headers: auth, payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'LH_TEMPLATE_INVALID', message: 'invalid campaign', errors: [{ path: 'webhook.body.text', line: 2, column: 1 }] });
  });

  it('400 LH_INVALID_REQUEST for a schema violation, 401 LH_UNAUTHORIZED without the key', async () => {
    const invalid = await app.inject({ method: 'POST', url: '/campaigns', headers: auth, payload: { ...campaign, name: '' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({ code: 'LH_INVALID_REQUEST', message: 'invalid body', errors: [{ path: 'name', message: 'name must not be empty' }] });
    const anonymous = await app.inject({ method: 'GET', url: '/campaigns/c1' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('LH_UNAUTHORIZED');
  });

  it('503 LH_RENDER_BUSY with Retry-After when every render thread is busy', async () => {
    campaignFound = true;
    const res = await app.inject({ method: 'POST', url: '/campaigns/c1/preview', headers: auth, payload: { attributes: {} } });
    campaignFound = false;
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json()).toEqual({ code: 'LH_RENDER_BUSY', message: 'every render thread is busy and the queue is full; retry in 3 s' });
  });

  it('500 LH_INTERNAL for anything unexpected: the details go to the log, not to the client', async () => {
    const res = await app.inject({ method: 'GET', url: '/users/u1', headers: auth });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 'LH_INTERNAL', message: 'internal error' });
    expect(res.body).not.toContain('secret-path');
    expect(log.lines()).toContain('secret-path');
  });
});

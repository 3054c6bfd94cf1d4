// Bearer-key authentication for every route except those marked `config: { public: true }`
// (the liveness probe, the API description) and /metrics when configured public.
import type { FastifyInstance } from 'fastify';
import { bearerToken, type ApiKeyCheck } from './api-key.js';
import { errorBody } from './errors.js';

export function registerAuth(app: FastifyInstance, apiKey: ApiKeyCheck): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public === true) return;
    const token = bearerToken(request.headers.authorization);
    if (token === undefined || !apiKey.verify(token)) {
      reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody('LH_UNAUTHORIZED'));
      return reply;
    }
  });
}

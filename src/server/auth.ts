// Bearer-key authentication for every route except the liveness probe.
import type { FastifyInstance } from 'fastify';
import { bearerToken, type ApiKeyCheck } from './api-key.js';

/** Paths a load balancer probes without credentials; they reveal nothing about data. */
const PUBLIC_PATHS = new Set(['/health']);

export function registerAuth(app: FastifyInstance, apiKey: ApiKeyCheck): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC_PATHS.has(path)) return;
    const token = bearerToken(request.headers.authorization);
    if (token === undefined || !apiKey.verify(token)) {
      reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ message: 'missing or invalid API key (send Authorization: Bearer <key>)' });
      return reply;
    }
  });
}

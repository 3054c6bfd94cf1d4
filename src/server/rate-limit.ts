// Request rate limit of the API (LIQUIDHOOK_RATE_LIMIT per minute). Requests carrying the valid
// API key share one budget; others are counted per client address, so guessing keys is slow
// too. It runs before authentication; /health and routes marked `rateLimit: false` are exempt.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, type ApiKeyCheck } from './api-key.js';

export const RATE_LIMIT_WINDOW_MS = 60_000;

export async function registerRateLimit(app: FastifyInstance, perMinute: number, apiKey: ApiKeyCheck): Promise<void> {
  if (perMinute <= 0) return;
  await app.register(rateLimit, { global: false });
  const keyOf = (request: FastifyRequest): string => {
    const token = bearerToken(request.headers.authorization);
    return token !== undefined && apiKey.verify(token) ? 'api-key' : `ip:${request.ip}`;
  };
  app.addHook(
    'onRequest',
    app.rateLimit({
      max: perMinute,
      timeWindow: RATE_LIMIT_WINDOW_MS,
      keyGenerator: keyOf,
      allowList: (request) => request.routeOptions.config?.rateLimit === false,
    }),
  );
}

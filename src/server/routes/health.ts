// Liveness and readiness for load balancers: public, not rate limited, reveals no data.
import { z } from 'zod';
import type { RoutePlugin } from '../context.js';

const HealthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  store: z.enum(['sqlite', 'postgres']),
});

export const registerHealthRoutes: RoutePlugin = (app, { store }) => {
  app.get(
    '/health',
    {
      config: { public: true, rateLimit: false },
      schema: {
        summary: 'Service and database health',
        tags: ['operations'],
        security: [],
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      try {
        await store.nextDueAt();
        return { status: 'ok' as const, store: store.kind };
      } catch {
        return reply.code(503).send({ status: 'unavailable', store: store.kind });
      }
    },
  );
};

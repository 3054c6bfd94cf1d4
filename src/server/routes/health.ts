// Liveness and readiness for load balancers: public, not rate limited, reveals no data. While the
// database is out of reach the service stays up and answers 503 "degraded": work resumes by
// itself once the database is back.
import { z } from 'zod';
import type { RoutePlugin } from '../context.js';

const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  store: z.enum(['sqlite', 'postgres']),
  database: z.enum(['reachable', 'unreachable']),
});

/** A database that does not answer within this long counts as unreachable (a hung connect, a full pool). */
const PROBE_TIMEOUT_MS = 3000;

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
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          store.nextDueAt(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), PROBE_TIMEOUT_MS))),
        ]);
        return { status: 'ok' as const, store: store.kind, database: 'reachable' as const };
      } catch {
        return reply.code(503).send({ status: 'degraded', store: store.kind, database: 'unreachable' });
      } finally {
        clearTimeout(timer);
      }
    },
  );
};

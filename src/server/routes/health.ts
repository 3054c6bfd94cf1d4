import type { Store } from '../../store/types.js';
import type { ZodApp } from '../app.js';

export function registerHealthRoutes(app: ZodApp, store: Store): void {
  app.get('/health', async (_request, reply) => {
    try {
      await store.nextDueAt();
      return { status: 'ok', store: store.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', store: store.kind });
    }
  });
}

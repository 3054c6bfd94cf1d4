// The delivery log: what was sent (or aborted) to whom, every attempt, and replay.
import { z } from 'zod';
import type { Store } from '../../store/types.js';
import type { ZodApp } from '../app.js';
import { HttpError, notFound } from '../errors.js';

const DELIVERY_STATUSES = ['queued', 'sending', 'delivered', 'aborted', 'failed', 'dead'] as const;

const ListQuerySchema = z
  .object({
    campaign_id: z.string().min(1).optional(),
    external_id: z.string().min(1).optional(),
    status: z.enum(DELIVERY_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    before: z.string().min(1).optional().describe('Page: deliveries older than this id'),
  })
  .strict();

const IdParamsSchema = z.object({ id: z.string().min(1).max(100) });

export interface DeliveryRouteDeps {
  store: Store;
  onEnqueued(count: number): void;
}

export function registerDeliveryRoutes(app: ZodApp, deps: DeliveryRouteDeps): void {
  const { store } = deps;

  app.get('/deliveries', { schema: { querystring: ListQuerySchema } }, async (request) => {
    const q = request.query;
    const deliveries = await store.listDeliveries({
      ...(q.campaign_id ? { campaignId: q.campaign_id } : {}),
      ...(q.external_id ? { externalId: q.external_id } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.before ? { beforeId: q.before } : {}),
      limit: q.limit,
    });
    // Attempts are part of the log view; pages are bounded by `limit`.
    const withAttempts = await Promise.all(deliveries.map((d) => store.getDelivery(d.id)));
    const items = withAttempts.flatMap((d) => (d ? [d] : []));
    const last = items.at(-1);
    return { deliveries: items, ...(items.length === q.limit && last ? { next_before: last.id } : {}) };
  });

  app.get('/deliveries/:id', { schema: { params: IdParamsSchema } }, async (request) => {
    const delivery = await store.getDelivery(request.params.id);
    if (!delivery) throw notFound(`delivery ${request.params.id}`);
    return delivery;
  });

  app.post('/deliveries/:id/replay', { schema: { params: IdParamsSchema } }, async (request, reply) => {
    const existing = await store.getDelivery(request.params.id);
    if (!existing) throw notFound(`delivery ${request.params.id}`);
    if (existing.status === 'queued' || existing.status === 'sending') {
      throw new HttpError(409, `delivery is ${existing.status}: only finished deliveries can be replayed`);
    }
    const replayed = await store.replayDelivery(request.params.id, new Date());
    if (!replayed) throw notFound(`delivery ${request.params.id}`);
    deps.onEnqueued(1);
    return reply.code(202).send(replayed);
  });
}

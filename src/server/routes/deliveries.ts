// The delivery log: what was sent (or aborted) to whom, every attempt, and replay.
import { z } from 'zod';
import type { RoutePlugin } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import {
  DELIVERY_STATUSES,
  DeliveryListSchema,
  DeliverySchema,
  DeliveryWithAttemptsSchema,
  deliveryView,
  deliveryWithAttemptsView,
} from '../schemas/deliveries.js';

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

export const registerDeliveryRoutes: RoutePlugin = (app, ctx) => {
  const { store } = ctx;

  app.get(
    '/deliveries',
    {
      schema: {
        summary: 'The delivery log, newest first, with every attempt',
        tags: ['deliveries'],
        querystring: ListQuerySchema,
        response: { 200: DeliveryListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
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
      const items = withAttempts.flatMap((d) => (d ? [deliveryWithAttemptsView(d)] : []));
      const last = deliveries.at(-1);
      return { deliveries: items, ...(deliveries.length === q.limit && last ? { next_before: last.id } : {}) };
    },
  );

  app.get(
    '/deliveries/:id',
    {
      schema: {
        summary: 'One delivery with every attempt',
        tags: ['deliveries'],
        params: IdParamsSchema,
        response: { 200: DeliveryWithAttemptsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const delivery = await store.getDelivery(request.params.id);
      if (!delivery) throw notFound(`delivery ${request.params.id}`);
      return deliveryWithAttemptsView(delivery);
    },
  );

  app.post(
    '/deliveries/:id/replay',
    {
      schema: {
        summary: 'Send a finished delivery again, with the same idempotency key',
        tags: ['deliveries'],
        params: IdParamsSchema,
        response: { 202: DeliverySchema, 409: ERROR_RESPONSES[400], ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const existing = await store.getDelivery(request.params.id);
      if (!existing) throw notFound(`delivery ${request.params.id}`);
      if (existing.status === 'queued' || existing.status === 'sending') {
        throw new HttpError(409, `delivery is ${existing.status}: only finished deliveries can be replayed`);
      }
      const replayed = await ctx.intake.replay(request.params.id);
      if (!replayed) throw notFound(`delivery ${request.params.id}`);
      return reply.code(202).send(deliveryView(replayed));
    },
  );
};

// The delivery log: what was sent (or aborted) to whom, every attempt, and replay.
import { z } from 'zod';
import { notFound } from '../../errors/index.js';
import type { RoutePlugin } from '../context.js';
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
    before: z.string().min(1).optional().describe('Page: deliveries older than this id (the next_before of the page before)'),
  })
  .strict();

const IdParamsSchema = z.object({ id: z.string().min(1).max(100) });

const ReplayBodySchema = z
  .object({
    force: z.boolean().optional().describe('Send a delivered delivery again (refused with 409 without it)'),
  })
  .strict()
  // Fastify hands a request without a body over as null.
  .nullish();

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
        // One more than the page: `next_before` only when an older page really exists.
        limit: q.limit + 1,
      });
      const page = deliveries.slice(0, q.limit);
      // Attempts are part of the log view; pages are bounded by `limit`.
      const withAttempts = await Promise.all(page.map((d) => store.getDelivery(d.id)));
      const items = withAttempts.flatMap((d) => (d ? [deliveryWithAttemptsView(d)] : []));
      const last = page.at(-1);
      return { deliveries: items, ...(deliveries.length > q.limit && last ? { next_before: last.id } : {}) };
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
        summary: 'Send a delivery again, with the same idempotency key',
        description:
          'Dead and failed deliveries are queued again as they are; an aborted one is rendered again against the profile as it is now. ' +
          'A delivered one only with {"force": true}. Queued and sending ones: 409. The attempt count goes on and a new retry window starts.',
        tags: ['deliveries'],
        params: IdParamsSchema,
        body: ReplayBodySchema,
        response: { 202: DeliverySchema, 409: ERROR_RESPONSES[400], ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      // A refused replay is LH_REPLAY_REFUSED (409).
      const replayed = await ctx.intake.replay(request.params.id, { force: request.body?.force === true });
      if (!replayed) throw notFound(`delivery ${request.params.id}`);
      return reply.code(202).send(deliveryView(replayed));
    },
  );
};

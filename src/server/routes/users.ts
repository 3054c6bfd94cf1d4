// Profile intake (Braze-compatible /users/track) and profile lookup.
import { z } from 'zod';
import { TrackRequestSchema, formatPath, formatZodIssues, toTrackBatch, trackResponse } from '../../ingest/index.js';
import { AttributeOpError } from '../../profiles/index.js';
import type { SendPlanner, Store } from '../../store/types.js';
import type { ZodApp } from '../app.js';
import { HttpError, notFound } from '../errors.js';

export interface UserRouteDeps {
  store: Store;
  /** Planner over the current campaigns, evaluated inside the store's transaction. */
  planner(now: Date): SendPlanner;
  /** Tells the worker that sends were enqueued. */
  onEnqueued(count: number): void;
}

export function registerUserRoutes(app: ZodApp, deps: UserRouteDeps): void {
  // Validated here rather than by the route schema so the 400 keeps Braze-style field paths
  // and the whole request is rejected before anything is written (all-or-nothing).
  app.post('/users/track', async (request, reply) => {
    const parsed = TrackRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      throw new HttpError(400, 'invalid /users/track request: nothing was applied', formatZodIssues(parsed.error));
    }
    const body = parsed.data;
    if (!body.attributes?.length && !body.events?.length && !body.purchases?.length) {
      throw new HttpError(400, 'request must contain at least one of attributes, events or purchases', [
        { path: '', message: 'attributes, events and purchases are all empty' },
      ]);
    }
    const now = new Date();
    const { batch, errors } = toTrackBatch(body, now);
    let result;
    try {
      result = await deps.store.applyTrack(batch, deps.planner(now));
    } catch (error) {
      if (!(error instanceof AttributeOpError)) throw error;
      // The stored value does not allow the operation (e.g. inc on a string): the whole batch is refused.
      const index = Math.max(0, (body.attributes ?? []).findIndex((a) => a.external_id === error.externalId));
      throw new HttpError(400, 'invalid /users/track request: nothing was applied', [
        { path: formatPath(['attributes', index, error.attribute]), message: error.reason },
      ]);
    }
    if (result.deliveries.length > 0) deps.onEnqueued(result.deliveries.length);
    return reply.code(201).send(trackResponse(body, errors));
  });

  app.get(
    '/users/:external_id',
    { schema: { params: z.object({ external_id: z.string().min(1).max(512) }) } },
    async (request) => {
      const profile = await deps.store.getProfile(request.params.external_id);
      if (!profile) throw notFound(`user ${JSON.stringify(request.params.external_id)}`);
      return {
        external_id: profile.externalId,
        attributes: profile.attributes,
        created_at: profile.createdAt,
        updated_at: profile.updatedAt,
      };
    },
  );
}

// Profile intake (Braze-compatible /users/track) and profile lookup.
import { z } from 'zod';
import {
  TrackRequestSchema,
  TrackResponseSchema,
  formatPath,
  formatZodIssues,
  ignoredTrackFields,
  toTrackBatch,
  trackResponse,
  type TrackRequest,
} from '../../ingest/index.js';
import { CodedError, notFound } from '../../errors/index.js';
import { AttributeOpError } from '../../profiles/index.js';
import type { RoutePlugin } from '../context.js';
import { ERROR_RESPONSES, Timestamp } from '../schemas/common.js';
import { passThroughValidator } from '../validation.js';

const ProfileSchema = z.object({
  external_id: z.string(),
  attributes: z.record(z.string(), z.json()),
  created_at: Timestamp,
  updated_at: Timestamp.describe('Last time an attribute changed (events alone do not change it)'),
});

const REFUSED = 'invalid /users/track request: nothing was applied';

/** The request entry that carried the refused operation: same user, same attribute name. */
function entryIndexOf(body: TrackRequest, error: AttributeOpError): number {
  const attributes = body.attributes ?? [];
  const exact = attributes.findIndex((a) => a.external_id === error.externalId && Object.hasOwn(a, error.attribute));
  return exact >= 0 ? exact : Math.max(0, attributes.findIndex((a) => a.external_id === error.externalId));
}

export const registerUserRoutes: RoutePlugin = (app, ctx) => {
  const { store, intake } = ctx;
  app.post(
    '/users/track',
    {
      schema: {
        summary: 'Create or update user profiles, record events and purchases (Braze /users/track)',
        tags: ['users'],
        body: TrackRequestSchema,
        response: { 201: TrackResponseSchema, ...ERROR_RESPONSES },
      },
      // Validated in the handler so the 400 keeps Braze's message and the whole request is
      // rejected before anything is written (all-or-nothing).
      validatorCompiler: passThroughValidator,
    },
    async (request, reply) => {
      const parsed = TrackRequestSchema.safeParse(request.body ?? {});
      if (!parsed.success) throw new CodedError('LH_INVALID_REQUEST', REFUSED, { fields: formatZodIssues(parsed.error) });
      const body = parsed.data;
      const ignored = ignoredTrackFields(request.body);
      if (!body.attributes?.length && !body.events?.length && !body.purchases?.length) {
        const also = ignored.length > 0 ? ` (ignored: ${ignored.join(', ')})` : '';
        throw new CodedError('LH_INVALID_REQUEST', 'request must contain at least one of attributes, events or purchases', {
          fields: [{ path: '', message: `attributes, events and purchases are all empty${also}` }],
        });
      }
      const { batch, errors } = toTrackBatch(body, new Date());
      try {
        await intake.track(batch);
      } catch (error) {
        if (!(error instanceof AttributeOpError)) throw error;
        // The stored value does not allow the operation (e.g. inc on a string): the whole batch is
        // refused, naming the request entry that carried it.
        const path = formatPath(['attributes', entryIndexOf(body, error), error.attribute]);
        throw new CodedError('LH_ATTRIBUTE_OP', REFUSED, { fields: [{ path, message: error.reason }], cause: error });
      }
      return reply.code(201).send(trackResponse(body, errors, ignored));
    },
  );

  app.get(
    '/users/:external_id',
    {
      schema: {
        summary: 'A user profile and its attributes',
        tags: ['users'],
        params: z.object({ external_id: z.string().min(1).max(512) }),
        response: { 200: ProfileSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const profile = await store.getProfile(request.params.external_id);
      if (!profile) throw notFound(`user ${JSON.stringify(request.params.external_id)}`);
      return {
        external_id: profile.externalId,
        attributes: profile.attributes,
        created_at: profile.createdAt,
        updated_at: profile.updatedAt,
      };
    },
  );
};

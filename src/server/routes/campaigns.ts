// Campaign CRUD, preview (render with stubbed or live connected_content, nothing sent) and
// test-send (render and one real request, response shown).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ActiveCampaign, CampaignCatalog } from '../../deliveries/catalog.js';
import type { WebhookDispatcher } from '../../dispatch/index.js';
import type { LiquidhookEngine } from '../../liquid/index.js';
import { redactText } from '../../liquid/redact.js';
import { buildLiquidContext } from '../../render/context.js';
import { previewWebhook } from '../../render/preview.js';
import { testSendWebhook } from '../../render/test-send.js';
import type { Attributes, Store } from '../../store/types.js';
import { CampaignValidationError } from '../../triggers/index.js';
import type { ZodApp } from '../app.js';
import { HttpError, notFound } from '../errors.js';

export interface CampaignRouteDeps {
  store: Store;
  catalog: CampaignCatalog;
  /** Engine with live, SSRF-guarded connected_content (test-send and live previews). */
  engine: LiquidhookEngine;
  dispatcher: WebhookDispatcher;
  /** Values of `signing_secret_ref` names. */
  signingSecrets: Record<string, string | undefined>;
}

/** A secret as it appears inside JSON text. */
const jsonEscaped = (secret: string): string => JSON.stringify(secret).slice(1, -1);

const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'id may contain letters, digits and _.:-') });

const recipientFields = {
  external_id: z.string().min(1).max(512).optional().describe('Render for this stored profile'),
  attributes: z.record(z.string(), z.json()).optional().describe('Render for these attributes (over the profile, if any)'),
  trigger: z.record(z.string(), z.json()).optional().describe('Trigger data, e.g. { "properties": {...} }'),
};
const hasRecipient = (r: { external_id?: string; attributes?: object }): boolean =>
  r.external_id !== undefined || r.attributes !== undefined;
const recipientMessage = { message: 'give external_id or attributes' };

const RecipientSchema = z.object(recipientFields).strict().refine(hasRecipient, recipientMessage);

const PreviewBodySchema = z
  .object({
    ...recipientFields,
    connected_content: z.enum(['stub', 'live']).optional().describe('stub (default): canned token answer; live: real calls'),
  })
  .strict()
  .refine(hasRecipient, recipientMessage);

export function campaignView(active: ActiveCampaign): Record<string, unknown> {
  return {
    id: active.id,
    ...active.campaign,
    ready: active.ready,
    ...(active.missing.length > 0 ? { missing_placeholders: active.missing } : {}),
    ...(active.inactiveReason ? { inactive_reason: active.inactiveReason } : {}),
    created_at: active.stored.createdAt,
    updated_at: active.stored.updatedAt,
  };
}

export function registerCampaignRoutes(app: ZodApp, deps: CampaignRouteDeps): void {
  const { catalog } = deps;
  const find = (id: string): ActiveCampaign => {
    const active = catalog.get(id);
    if (!active) throw notFound(`campaign ${id}`);
    return active;
  };
  const save = async (id: string, body: unknown): Promise<ActiveCampaign> => {
    try {
      return await catalog.put(id, body);
    } catch (error) {
      if (error instanceof CampaignValidationError) throw new HttpError(400, 'invalid campaign', error.issues);
      throw error;
    }
  };

  app.post('/campaigns', async (request, reply) => {
    const id = `cmp_${randomBytes(8).toString('hex')}`;
    return reply.code(201).send(campaignView(await save(id, request.body)));
  });

  app.get('/campaigns', async () => ({ campaigns: catalog.list().map(campaignView) }));

  app.get('/campaigns/:id', { schema: { params: IdParams } }, async (request) => campaignView(find(request.params.id)));

  app.put('/campaigns/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const existed = catalog.get(request.params.id) !== undefined;
    const active = await save(request.params.id, request.body);
    return reply.code(existed ? 200 : 201).send(campaignView(active));
  });

  app.delete('/campaigns/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!(await catalog.delete(request.params.id))) throw notFound(`campaign ${request.params.id}`);
    return reply.code(204).send();
  });

  const contextFor = async (body: { external_id?: string; attributes?: Record<string, unknown>; trigger?: Record<string, unknown> }): Promise<object> => {
    let attributes: Attributes = (body.attributes ?? {}) as Attributes;
    let externalId = 'preview-user';
    if (body.external_id !== undefined) {
      const profile = await deps.store.getProfile(body.external_id);
      if (!profile) throw notFound(`user ${JSON.stringify(body.external_id)}`);
      attributes = { ...profile.attributes, ...attributes };
      externalId = body.external_id;
    }
    return buildLiquidContext(attributes, { externalId, trigger: body.trigger as Attributes | undefined });
  };

  app.post(
    '/campaigns/:id/preview',
    { schema: { params: IdParams, body: PreviewBodySchema } },
    async (request) => {
      const active = find(request.params.id);
      return previewWebhook(active.webhook, {
        attributes: await contextFor(request.body),
        connectedContent: request.body.connected_content ?? 'stub',
        engine: deps.engine,
        secrets: active.secrets,
      });
    },
  );

  app.post('/campaigns/:id/test-send', { schema: { params: IdParams, body: RecipientSchema } }, async (request) => {
    const active = find(request.params.id);
    const ref = active.webhook.signing_secret_ref;
    const signingSecret = ref ? deps.signingSecrets[ref] : undefined;
    if (ref && !signingSecret) throw new HttpError(422, `signing secret ${ref} is not configured`);
    const outcome = await testSendWebhook(active.webhook, {
      engine: deps.engine,
      dispatcher: deps.dispatcher,
      context: await contextFor(request.body),
      ...(signingSecret ? { signingSecret } : {}),
    });
    // Placeholder secrets (client secrets) are scrubbed as well as what the render met.
    const scrubbed = JSON.parse(redactText(JSON.stringify(outcome), active.secrets.map(jsonEscaped))) as typeof outcome;
    if (scrubbed.errors.length > 0) {
      throw new HttpError(422, 'webhook did not render', scrubbed.errors.map((e) => ({ path: e.field, message: e.message })));
    }
    return scrubbed;
  });
}

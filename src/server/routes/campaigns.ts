// Campaign CRUD, preview (render with stubbed or live connected_content, nothing sent) and
// test-send (render and one real request, response shown); renders run on the render pool.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ActiveCampaign } from '../../deliveries/index.js';
import { CodedError, notFound } from '../../errors/index.js';
import { WebhookRenderError, sendRenderedTest } from '../../render/index.js';
import { CampaignSchema } from '../../triggers/index.js';
import type { RoutePlugin } from '../context.js';
import { POOL_RESPONSES } from '../render-pool-errors.js';
import { assertWebhookTemplatesParse } from '../template-errors.js';
import { recipientContext, type Recipient } from '../recipient-context.js';
import {
  CampaignIdParams,
  CampaignListSchema,
  CampaignViewSchema,
  PreviewBodySchema,
  PreviewResponseSchema,
  RecipientSchema,
  TestSendResponseSchema,
  campaignView,
  previewView,
  testSendView,
} from '../schemas/campaigns.js';
import { ERROR_RESPONSES } from '../schemas/common.js';

export { campaignView } from '../schemas/campaigns.js';

const tags = ['campaigns'];

export const registerCampaignRoutes: RoutePlugin = (app, ctx) => {
  const { catalog, store } = ctx;
  const find = async (id: string): Promise<ActiveCampaign> => {
    const active = await catalog.lookup(id);
    if (!active) throw notFound(`campaign ${id}`);
    return active;
  };
  const save = async (id: string, body: z.output<typeof CampaignSchema>): Promise<ActiveCampaign> => {
    // A template that does not parse would fail at every send: refused here, where it is written.
    assertWebhookTemplatesParse(body.webhook, ['webhook'], 'campaign');
    return catalog.put(id, body);
  };

  app.post(
    '/campaigns',
    { schema: { summary: 'Create a campaign', tags, body: CampaignSchema, response: { 201: CampaignViewSchema, ...ERROR_RESPONSES } } },
    async (request, reply) => {
      const id = `cmp_${randomBytes(8).toString('hex')}`;
      return reply.code(201).send(campaignView(await save(id, request.body)));
    },
  );

  app.get(
    '/campaigns',
    { schema: { summary: 'Every campaign', tags, response: { 200: CampaignListSchema, ...ERROR_RESPONSES } } },
    async () => {
      // Another process on the same database may have changed campaigns since the last refresh.
      await catalog.refresh();
      return { campaigns: catalog.list().map(campaignView) };
    },
  );

  app.get(
    '/campaigns/:id',
    { schema: { summary: 'One campaign', tags, params: CampaignIdParams, response: { 200: CampaignViewSchema, ...ERROR_RESPONSES } } },
    async (request) => campaignView(await find(request.params.id)),
  );

  app.put(
    '/campaigns/:id',
    {
      schema: {
        summary: 'Create or replace a campaign under a chosen id',
        tags,
        params: CampaignIdParams,
        body: CampaignSchema,
        response: { 200: CampaignViewSchema, 201: CampaignViewSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const existed = (await catalog.lookup(request.params.id)) !== undefined;
      const active = await save(request.params.id, request.body);
      return reply.code(existed ? 200 : 201).send(campaignView(active));
    },
  );

  app.delete(
    '/campaigns/:id',
    {
      schema: {
        summary: 'Delete a campaign (its delivery log stays)',
        tags,
        params: CampaignIdParams,
        response: { 204: z.null().describe('Deleted'), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (!(await catalog.delete(request.params.id))) throw notFound(`campaign ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  const contextFor = (body: Recipient): Promise<object> => recipientContext(store, body);

  app.post(
    '/campaigns/:id/preview',
    {
      schema: {
        summary: 'Render the webhook for a profile or sample attributes; nothing is sent',
        tags,
        params: CampaignIdParams,
        body: PreviewBodySchema,
        response: { 200: PreviewResponseSchema, ...ERROR_RESPONSES, ...POOL_RESPONSES },
      },
    },
    async (request) => {
      const active = await find(request.params.id);
      const attributes = await contextFor(request.body);
      const preview = await ctx.renderPool.preview({
        webhook: active.webhook,
        attributes,
        connectedContent: request.body.connected_content ?? 'stub',
        secrets: active.secrets,
      });
      return previewView(preview);
    },
  );

  app.post(
    '/campaigns/:id/test-send',
    {
      schema: {
        summary: 'Render and send the webhook once, showing the response (no retries, no delivery log)',
        tags,
        params: CampaignIdParams,
        body: RecipientSchema,
        response: { 200: TestSendResponseSchema, ...ERROR_RESPONSES, ...POOL_RESPONSES },
      },
    },
    async (request) => {
      const active = await find(request.params.id);
      const ref = active.webhook.signing_secret_ref;
      const signingSecret = ref ? ctx.env[ref] : undefined;
      if (ref && !signingSecret) throw new CodedError('LH_SIGNING_SECRET_MISSING', `signing secret ${ref} is not configured`);
      const context = await contextFor(request.body);
      const rendered = await ctx.renderPool.renderForSend({ webhook: active.webhook, context });
      const outcome = await sendRenderedTest(rendered, {
        dispatcher: ctx.dispatcher,
        secrets: active.secrets,
        ...(signingSecret ? { signingSecret } : {}),
      });
      ctx.metrics.observeConnectedContent(outcome.connectedContent);
      if (outcome.errors.length > 0) throw new WebhookRenderError(outcome.errors);
      return testSendView(outcome);
    },
  );
};

// Content Blocks: list, get, create or replace (validated: Braze's name and size rules, the
// Liquid parses, no block includes itself), delete (refused while a campaign or block includes it).
import { z } from 'zod';
import { ContentBlockError, ContentBlockInputSchema, ContentBlockRegistry } from '../../content-blocks/index.js';
import { notFound } from '../../errors/index.js';
import { contentBlockReferences } from '../../liquid/index.js';
import { webhookTemplateFields } from '../../render/index.js';
import type { Store } from '../../store/index.js';
import type { RouteContext, RoutePlugin } from '../context.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { ContentBlockListSchema, ContentBlockNameParams, ContentBlockViewSchema, contentBlockView } from '../schemas/content-blocks.js';
import { handlerValidatesBody } from '../validation.js';

const registries = new WeakMap<Store, ContentBlockRegistry>();

/** The service's registry; a context built without one (tests) gets one over its store. */
async function registryFor(ctx: Pick<RouteContext, 'store' | 'logger' | 'contentBlocks'>): Promise<ContentBlockRegistry> {
  if (ctx.contentBlocks) return ctx.contentBlocks;
  let registry = registries.get(ctx.store);
  if (!registry) {
    registry = new ContentBlockRegistry(ctx.store, ctx.logger);
    registries.set(ctx.store, registry);
    await registry.load();
  }
  return registry;
}

export const registerContentBlockRoutes: RoutePlugin = async (app, ctx) => {
  const registry = await registryFor(ctx);
  const tags = ['content-blocks'];
  const one = { 200: ContentBlockViewSchema, ...ERROR_RESPONSES, 409: ERROR_RESPONSES[400] };

  app.get('/content-blocks', { schema: { summary: 'Every content block', tags, response: { 200: ContentBlockListSchema, ...ERROR_RESPONSES } } }, async () => {
    // Another instance on the same database may have changed them.
    await registry.refresh();
    return { content_blocks: registry.list().map(contentBlockView) };
  });

  app.get('/content-blocks/:name', { schema: { summary: 'One content block', tags, params: ContentBlockNameParams, response: one } }, async (request) => {
    const block = registry.get(request.params.name);
    if (!block) throw notFound(`content block ${request.params.name}`);
    return contentBlockView(block);
  });

  app.put(
    '/content-blocks/:name',
    {
      schema: { summary: 'Create or replace a content block', tags, params: ContentBlockNameParams, body: ContentBlockInputSchema, response: { 201: ContentBlockViewSchema, ...one } },
      // The registry validates the body: its 400 names the field, and the line and column of Liquid that does not parse.
      validatorCompiler: handlerValidatesBody,
    },
    async (request, reply) => {
      const { block, created } = await registry.put(request.params.name, request.body ?? {});
      return reply.code(created ? 201 : 200).send(contentBlockView(block));
    },
  );

  app.delete(
    '/content-blocks/:name',
    { schema: { summary: 'Delete a content block no campaign or block includes', tags, params: ContentBlockNameParams, response: { 204: z.null().describe('Deleted'), ...one } } },
    async (request, reply) => {
      const { name } = request.params;
      if (!registry.get(name)) throw notFound(`content block ${name}`);
      const campaigns = ctx.catalog.list().filter((c) => webhookTemplateFields(c.webhook).some((f) => contentBlockReferences(f.text).some((r) => r.name === name)));
      if (campaigns.length > 0) {
        throw new ContentBlockError('LH_CONTENT_BLOCK_IN_USE', `content block "${name}" is included by ${campaigns.map((c) => `campaign "${c.campaign.name}" (${c.id})`).join(', ')}`);
      }
      await registry.delete(name);
      return reply.code(204).send(null);
    },
  );
};

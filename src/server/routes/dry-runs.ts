// Dry runs: POST starts one (202, Location: /dry-runs/:id) for a saved campaign or an unsaved
// definition; GET reports progress, the counts so far and, once finished, the result; DELETE
// cancels. A run renders on a thread of its own, never on this event loop.
import type { FastifyReply } from 'fastify';
import { DryRunOptionsSchema, UnsavedDryRunSchema, savedCampaignDefinition, type DryRun, type DryRunDefinition } from '../../dryrun/index.js';
import { notFound } from '../../errors/index.js';
import { substitutePlaceholders } from '../../render/index.js';
import type { RoutePlugin } from '../context.js';
import { POOL_RESPONSES } from '../render-pool-errors.js';
import { CampaignIdParams } from '../schemas/campaigns.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { DryRunIdParams, DryRunViewSchema, dryRunView } from '../schemas/dry-runs.js';

const tags = ['dry runs'];
const STARTED = { 202: DryRunViewSchema.describe('Started: poll GET /dry-runs/:id (the Location header)'), ...ERROR_RESPONSES, 503: POOL_RESPONSES[503] };

export const registerDryRunRoutes: RoutePlugin = (app, ctx) => {
  const start = (reply: FastifyReply, definition: DryRunDefinition, options: Parameters<typeof ctx.dryRuns.start>[1]) => {
    // Too many runs at once: LH_DRY_RUNS_BUSY (503 with Retry-After).
    const run = ctx.dryRuns.start(definition, options);
    return reply.code(202).header('location', `/dry-runs/${run.id}`).send(dryRunView(run));
  };
  const find = (id: string): DryRun => {
    const run = ctx.dryRuns.get(id);
    if (!run) throw notFound(`dry run ${id}`);
    return run;
  };

  app.post(
    '/campaigns/:id/dry-run',
    {
      schema: {
        summary: 'Start a dry run: render the campaign for every profile in its audience (or a sample) without sending',
        tags,
        params: CampaignIdParams,
        body: DryRunOptionsSchema,
        response: STARTED,
      },
    },
    async (request, reply) => {
      const active = await ctx.catalog.lookup(request.params.id);
      if (!active) throw notFound(`campaign ${request.params.id}`);
      return start(reply, savedCampaignDefinition(active, ctx.env), request.body);
    },
  );

  app.post(
    '/dry-run',
    {
      schema: {
        summary: 'Start a dry run of an unsaved webhook and audience (the editor\'s dry run)',
        tags,
        body: UnsavedDryRunSchema,
        response: STARTED,
      },
    },
    async (request, reply) => {
      const { webhook, audience, campaign_id: campaignId, ...options } = request.body;
      const filled = campaignId !== undefined ? ctx.catalog.placeholderValuesFor(campaignId) : undefined;
      const definition: DryRunDefinition = {
        webhook: filled ? substitutePlaceholders(webhook, filled.values) : webhook,
        audience,
        secrets: filled?.secrets ?? [],
        warnings: [],
      };
      return start(reply, definition, options);
    },
  );

  app.get(
    '/dry-runs/:id',
    { schema: { summary: 'A dry run: progress, the counts so far, the result once finished', tags, params: DryRunIdParams, response: { 200: DryRunViewSchema, ...ERROR_RESPONSES } } },
    async (request) => dryRunView(find(request.params.id)),
  );

  app.delete(
    '/dry-runs/:id',
    { schema: { summary: 'Cancel a dry run (what it counted so far stays readable)', tags, params: DryRunIdParams, response: { 200: DryRunViewSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const run = find(request.params.id);
      run.cancel();
      await run.finished;
      return dryRunView(run);
    },
  );
};

// The dry run's request and result shapes: the single source of validation, types and the
// OpenAPI description of the dry-run routes (snake_case, like the rest of the API).
import { z } from 'zod';
import { WebhookSchema } from '../render/schema.js';
import { FilterSchema } from '../triggers/schema.js';

export const DRY_RUN_CONNECTED_CONTENT = ['stub', 'recorded', 'live'] as const;
export type DryRunConnectedContent = (typeof DRY_RUN_CONNECTED_CONTENT)[number];

const RecordedAnswerSchema = z.union([
  z.string().describe('The response body, status 200'),
  z
    .object({
      status: z.number().int().min(100).max(599).optional(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.json().describe('Text, or a JSON value sent as JSON text'),
    })
    .strict(),
]);

const optionFields = {
  sample: z.number().int().min(1).max(100_000).optional().describe('Render this many profiles of the audience, picked by `seed`, instead of all'),
  seed: z
    .union([z.string().min(1).max(100), z.number().int()])
    .optional()
    .describe('Picks the sample: the same seed over the same profiles picks the same users (default: random, reported in the result)'),
  connected_content: z
    .enum(DRY_RUN_CONNECTED_CONTENT)
    .default('stub')
    .describe(
      'stub (default): every call answers {"access_token":"stub-token",...}; recorded: the answers given in `recorded`; live: real, SSRF-guarded calls, each distinct request fetched once per run',
    ),
  recorded: z
    .record(z.string(), RecordedAnswerSchema)
    .optional()
    .describe('For connected_content "recorded": answers by "URL" or "METHOD URL" (the CLI\'s recorded-answers file); other calls get 404'),
  examples: z.number().int().min(0).max(10).default(3).describe('Example users kept per outcome'),
};

type OptionFields = { sample?: number; seed?: string | number; connected_content: string; recorded?: object };

function checkOptions(options: OptionFields, ctx: z.RefinementCtx): void {
  if (options.connected_content === 'recorded' && options.recorded === undefined) {
    ctx.addIssue({ code: 'custom', path: ['recorded'], message: 'connected_content "recorded" needs the recorded answers' });
  }
  if (options.connected_content !== 'recorded' && options.recorded !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['recorded'], message: 'recorded answers are used only with connected_content "recorded"' });
  }
  if (options.seed !== undefined && options.sample === undefined) {
    ctx.addIssue({ code: 'custom', path: ['seed'], message: 'a seed picks a sample: give `sample` too' });
  }
}

/** POST /campaigns/:id/dry-run */
export const DryRunOptionsSchema = z.object(optionFields).strict().superRefine(checkOptions);

/** POST /dry-run: an unsaved definition, as POST /preview takes an unsaved webhook. */
export const UnsavedDryRunSchema = z
  .object({
    webhook: WebhookSchema,
    audience: z.array(FilterSchema).max(50).default([]).describe('All filters must match (AND); none: every profile'),
    campaign_id: z
      .string()
      .optional()
      .describe("A saved campaign this is an edited copy of: its configuration placeholders are filled in from the service's environment"),
    ...optionFields,
  })
  .strict()
  .superRefine(checkOptions);

export type DryRunOptions = z.output<typeof DryRunOptionsSchema>;
export type UnsavedDryRun = z.output<typeof UnsavedDryRunSchema>;

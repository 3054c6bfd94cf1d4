// Dry-run responses (snake_case) and the mapper from a run's state to them. The request bodies
// are the dry run's own schemas (src/dryrun/schema.ts).
import { z } from 'zod';
import { DRY_RUN_CONNECTED_CONTENT, ordered, type DryRun, type Example, type Group } from '../../dryrun/index.js';
import { CallRecordSchema, RenderErrorSchema, Timestamp, callRecordView } from './common.js';

export const DryRunIdParams = z.object({ id: z.string().regex(/^dry_[0-9a-f]{16}$/, 'not a dry-run id').describe('Dry run id') });

const ExampleSchema = z.object({
  external_id: z.string(),
  request: z
    .object({ method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()), body: z.string() })
    .optional()
    .describe('What would be sent, secrets redacted (body up to 4 KiB)'),
  errors: z.array(RenderErrorSchema).optional(),
  connected_content: z.array(CallRecordSchema),
  warnings: z.array(z.string()),
});

const count = z.number().int().min(0);

export const DryRunViewSchema = z
  .object({
    id: z.string(),
    campaign_id: z.string().nullable().describe('null for an unsaved definition'),
    status: z.enum(['running', 'completed', 'cancelled', 'timed_out', 'failed']),
    error: z.string().nullable().describe('Why a run failed or timed out'),
    started_at: Timestamp,
    finished_at: Timestamp.nullable(),
    options: z.object({
      sample: count.nullable(),
      seed: z.string().nullable().describe('Give it again with the same sample to render the same users'),
      connected_content: z.enum(DRY_RUN_CONNECTED_CONTENT),
      examples: count,
    }),
    progress: z.object({
      phase: z.enum(['counting', 'scanning', 'rendering', 'done']).describe('A sample is picked by scanning the audience, then rendered'),
      done: count,
      of: count,
      profiles_per_second: z.number(),
      eta_seconds: z.number().nullable(),
      elapsed_ms: z.number(),
    }),
    profiles: count.describe('Profiles in the store when the run started'),
    scanned: count.describe('Profiles read and checked against the audience'),
    in_audience: count,
    not_in_audience: count,
    rendered: count,
    would_send: z.object({ count, examples: z.array(ExampleSchema) }),
    aborted: z.array(z.object({ reason: z.string(), count, examples: z.array(ExampleSchema) })).describe('By abort_message reason, largest first'),
    errors: z.array(z.object({ message: z.string(), count, examples: z.array(ExampleSchema) })).describe('By message, largest first'),
    connected_content: z.object({
      calls: count.describe('Calls the renders made'),
      requests: count.describe('Of those, requests answered by the stub, the recording or the network (the rest came from the cache)'),
    }),
    warnings: z.array(z.string()),
  })
  .describe('A dry run: progress while it runs, the counts so far, and the result once finished');

export type DryRunView = z.output<typeof DryRunViewSchema>;

function exampleView(example: Example): z.output<typeof ExampleSchema> {
  return {
    external_id: example.externalId,
    ...(example.request ? { request: example.request } : {}),
    ...(example.errors ? { errors: example.errors } : {}),
    connected_content: example.calls.map(callRecordView),
    warnings: example.warnings,
  };
}

const groupView = (group: Group) => ({ count: group.count, examples: group.examples.map(exampleView) });

export function dryRunView(run: DryRun): DryRunView {
  const { tally, options } = run;
  const progress = run.progress();
  return {
    id: run.id,
    campaign_id: run.definition.campaignId ?? null,
    status: run.status,
    error: run.error ?? null,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    options: { sample: options.sample ?? null, seed: options.seed ?? null, connected_content: options.connectedContent, examples: options.examples },
    progress: {
      phase: progress.phase,
      done: progress.done,
      of: progress.of,
      profiles_per_second: Math.round(progress.perSecond * 10) / 10,
      eta_seconds: progress.etaSeconds === undefined ? null : Math.round(progress.etaSeconds * 10) / 10,
      elapsed_ms: progress.elapsedMs,
    },
    profiles: run.total,
    scanned: run.scanned,
    in_audience: tally.inAudience,
    not_in_audience: tally.notInAudience,
    rendered: tally.rendered,
    would_send: groupView(tally.wouldSend),
    aborted: ordered(tally.aborted).map((g) => ({ reason: g.key, ...groupView(g) })),
    errors: ordered(tally.errors).map((g) => ({ message: g.key, ...groupView(g) })),
    connected_content: { calls: tally.calls, requests: tally.requests },
    warnings: run.definition.warnings,
  };
}

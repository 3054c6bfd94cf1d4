// `liquidhook dry-run (CAMPAIGN_ID | FILE.webhook.liquid)`: what a campaign would do to its whole
// audience, rendered without sending. Through a running service's API when LIQUIDHOOK_URL is
// set (the run happens there; this follows it), else against the local database, on a thread.
import { dirname } from 'node:path';
import { pino } from 'pino';
import { EnvSchema } from '../../config/index.js';
import { ContentBlockRegistry } from '../../content-blocks/index.js';
import { formatZodIssues } from '../../domain/index.js';
import { CodedError } from '../../errors/index.js';
import { DryRunOptionsSchema, DryRuns, savedCampaignDefinition, type DryRunDefinition, type DryRunOptions } from '../../dryrun/index.js';
import { CampaignCatalog } from '../../intake/index.js';
import { scrubSecretValues } from '../../render/index.js';
import { dryRunView, type DryRunView } from '../../server/index.js';
import type { Store } from '../../store/index.js';
import { apiError, createApiClient } from '../api-client.js';
import { parseCommandArgs, type CommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { formatResult, progressReporter } from '../dry-run-output.js';
import { readCliEnv, type CliEnv } from '../env.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printJson, type CliIo } from '../io.js';
import { withLocalStore } from '../local-store.js';
import { connectedContentMode } from '../render-run.js';
import { isWebhookFile, loadTemplate, missingPlaceholderWarnings, type LoadedTemplate } from '../template-input.js';

const HELP = `Usage: liquidhook dry-run (CAMPAIGN_ID | FILE.webhook.liquid) [options]

Renders the campaign for every profile in its audience, or a sample, without sending anything,
and prints how many sends would go out, how many would abort (by reason) and fail to render (by
error), with example users and a redacted example request. A FILE's audience is its front
matter's, if any. Progress shows as a bar with rate and ETA on a terminal; Ctrl-C cancels.
With LIQUIDHOOK_URL (and LIQUIDHOOK_API_KEY) set the run happens in that service; otherwise it
reads the profiles of LIQUIDHOOK_DB / LIQUIDHOOK_DATABASE_URL. Exits 0 when the run completed and
no profile failed to render, 1 otherwise.

Options:
  --sample N                render N users of the audience, picked by --seed
  --seed S                  the same seed picks the same users (default: random, printed)
  --connected-content MODE  stub (default): every call answers {"access_token":"stub-token",...};
                            live: real calls through the SSRF guard, each distinct request once
                            per run; or a JSON file of recorded answers
                            {"URL" or "POST URL": body | {status, headers, body}}
  --examples N              example users per outcome (default 3)
  --json                    the result as GET /dry-runs/:id returns it
  -h, --help                show this help
`;

const OPTIONS = {
  sample: { type: 'string' },
  seed: { type: 'string' },
  'connected-content': { type: 'string' },
  examples: { type: 'string' },
} as const;

const POLL_MS = 500;

export const dryRunCommand: Command = {
  name: 'dry-run',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv, OPTIONS);
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [target, extra] = args.positionals;
    if (target === undefined) throw new UsageError('dry-run needs a CAMPAIGN_ID or a .webhook.liquid FILE');
    if (extra !== undefined) throw new UsageError(`dry-run takes one CAMPAIGN_ID or FILE (unexpected "${extra}")`);
    const env = readCliEnv(io);
    const options = await optionsFromArgs(args, io);
    const file = isWebhookFile(target) ? await loadTemplate(target, io) : undefined;
    const reporter = progressReporter(io);
    let view: DryRunView;
    try {
      view = env.apiUrl ? await viaApi(env, target, file, options, reporter.show) : await locally(env, io, target, file, options, reporter.show);
    } finally {
      reporter.end();
    }
    // The placeholder secrets of a file went to the service in clear: they never come back out.
    if (file && file.secrets.length > 0) view = JSON.parse(scrubSecretValues(JSON.stringify(view), file.secrets)) as DryRunView;
    if (args.json) printJson(io, view);
    else io.out(formatResult(view));
    return view.status === 'completed' && view.errors.length === 0 ? EXIT.OK : EXIT.FAILED;
  },
};

async function optionsFromArgs(args: CommandArgs, io: CliIo): Promise<DryRunOptions> {
  const mode = args.string('connected-content');
  const recorded = mode === undefined || mode === 'stub' || mode === 'live' ? undefined : await connectedContentMode(mode, io);
  const input = {
    ...(args.string('sample') !== undefined ? { sample: args.number('sample') } : {}),
    ...(args.string('seed') !== undefined ? { seed: args.string('seed') } : {}),
    connected_content: recorded ? 'recorded' : (mode ?? 'stub'),
    ...(recorded && typeof recorded === 'object' ? { recorded } : {}),
    ...(args.string('examples') !== undefined ? { examples: args.number('examples') } : {}),
  };
  const parsed = DryRunOptionsSchema.safeParse(input);
  if (!parsed.success) throw new UsageError(formatZodIssues(parsed.error).map((e) => `--${e.path.replace(/_/g, '-')}: ${e.message}`).join('; '));
  return parsed.data;
}

function fileDefinition(file: LoadedTemplate): DryRunDefinition {
  return { webhook: file.webhook, audience: file.file?.campaign?.audience ?? [], secrets: file.secrets, warnings: missingPlaceholderWarnings(file) };
}

async function campaignDefinition(store: Store, id: string, env: Record<string, string | undefined>, db: string): Promise<DryRunDefinition> {
  const catalog = new CampaignCatalog(store, pino({ level: 'silent' }), env);
  const active = await catalog.lookup(id);
  if (!active) throw new CodedError('LH_NOT_FOUND', `campaign ${id} not found in ${db}`);
  return savedCampaignDefinition(active, env);
}

/** The service's render settings, from the same variables and defaults. */
function renderSettings(env: Record<string, string | undefined>): { renderTimeMs: number; memoryMb: number; timeoutMs: number } {
  const read = (name: 'LIQUIDHOOK_RENDER_TIMEOUT_MS' | 'LIQUIDHOOK_RENDER_MEMORY_MB' | 'LIQUIDHOOK_DRY_RUN_TIMEOUT_MS'): number => {
    const parsed = EnvSchema.shape[name].safeParse(env[name]?.trim() || undefined);
    if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? `${name} is not valid`);
    return parsed.data;
  };
  return { renderTimeMs: read('LIQUIDHOOK_RENDER_TIMEOUT_MS'), memoryMb: read('LIQUIDHOOK_RENDER_MEMORY_MB'), timeoutMs: read('LIQUIDHOOK_DRY_RUN_TIMEOUT_MS') };
}

async function locally(env: CliEnv, io: CliIo, target: string, file: LoadedTemplate | undefined, options: DryRunOptions, show: (view: DryRunView) => void): Promise<DryRunView> {
  const settings = renderSettings(io.env);
  return withLocalStore(env.db, async (store) => {
    const definition = file ? fileDefinition(file) : await campaignDefinition(store, target, io.env, env.db);
    // Content blocks: those stored in the database and, for a file, the content-blocks/ folder next to it.
    const contentBlocks = new ContentBlockRegistry(store);
    await contentBlocks.load(file ? dirname(file.path) : undefined);
    const runs = new DryRuns({ profiles: store, allowedHosts: env.allowedHosts, ...settings, concurrent: 1, contentBlocks });
    const run = runs.start(definition, options);
    const cancel = (): void => run.cancel();
    process.once('SIGINT', cancel);
    const timer = setInterval(() => show(dryRunView(run)), 200);
    try {
      await run.finished;
    } finally {
      clearInterval(timer);
      process.off('SIGINT', cancel);
    }
    return dryRunView(run);
  });
}

async function viaApi(env: CliEnv, target: string, file: LoadedTemplate | undefined, options: DryRunOptions, show: (view: DryRunView) => void): Promise<DryRunView> {
  const api = createApiClient(env.apiUrl!, env.apiKey);
  const started = file
    ? await api.call('POST', '/dry-run', { webhook: file.webhook, audience: file.file?.campaign?.audience ?? [], ...options })
    : await api.call('POST', `/campaigns/${encodeURIComponent(target)}/dry-run`, options);
  if (started.status !== 202) throw apiError(started, 'cannot start the dry run');
  let view = started.json as DryRunView;
  let cancelled = false;
  const cancel = (): void => {
    cancelled = true;
  };
  process.once('SIGINT', cancel);
  try {
    while (view.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const res = cancelled ? await api.call('DELETE', `/dry-runs/${view.id}`) : await api.call('GET', `/dry-runs/${view.id}`);
      if (res.status !== 200) throw apiError(res, `cannot follow dry run ${view.id}`);
      view = res.json as DryRunView;
      show(view);
    }
  } finally {
    process.off('SIGINT', cancel);
  }
  return view;
}

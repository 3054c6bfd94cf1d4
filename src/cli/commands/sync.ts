// `liquidhook sync [ID] [--config FILE]`: runs a table sync once and prints its report. With
// LIQUIDHOOK_URL set it asks the running service (POST /syncs/:id/run); otherwise it runs
// against the local database, scoring and planning sends as the service does.
import type { SyncReport } from '../../ingest/index.js';
import { apiError, createApiClient } from '../api-client.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { readCliEnv, type CliEnv } from '../env.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { pathIn, printJson } from '../io.js';

const HELP = `Usage: liquidhook sync SYNC_ID [--json]
       liquidhook sync --config FILE.sync.json|yaml [SYNC_ID] [--json]

Runs a table sync once (read rows changed since the stored watermark, apply them as profile
updates, move the watermark) and prints its report: rows read, applied and rejected, the
watermark and the rejected rows. Exits 1 when rows were rejected or the run failed.

With LIQUIDHOOK_URL (and LIQUIDHOOK_API_KEY) set, the running service runs the stored or file
sync SYNC_ID. Otherwise the sync runs against LIQUIDHOOK_DB / LIQUIDHOOK_DATABASE_URL here:
SYNC_ID is a stored sync or a *.sync.json|yaml file of LIQUIDHOOK_TEMPLATES_DIR (default
./templates), and campaigns and scoring programs are loaded as the service loads them, so the
sends a change triggers are queued for the worker.

Options:
  --config FILE   run the sync described by FILE (local database only); its watermark is kept
                  under SYNC_ID, or file:<name> for <name>.sync.json
  --json          the report as JSON {rows_read, rows_applied, rows_rejected, watermark, errors}
  -h, --help      show this help
`;

export const syncCommand: Command = {
  name: 'sync',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { config: { type: 'string' } });
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [id, extra] = args.positionals;
    const configPath = args.string('config');
    if (id === undefined && configPath === undefined) throw new UsageError('sync needs a SYNC_ID or --config FILE');
    if (extra !== undefined) throw new UsageError(`sync takes one SYNC_ID (unexpected "${extra}")`);
    const env = readCliEnv(io);
    let result: { id: string; report: SyncReport };
    if (env.apiUrl) {
      if (configPath !== undefined) throw new UsageError('--config runs against the local database: unset LIQUIDHOOK_URL, or store the sync with POST /syncs');
      result = { id: id!, report: await runViaApi(env, id!) };
    } else {
      const { runLocalSync } = await import('../local-sync.js');
      result = await runLocalSync(env, {
        ...(id !== undefined ? { id } : {}),
        ...(configPath !== undefined ? { configPath: pathIn(io, configPath) } : {}),
        placeholderValues: io.env,
        logTo: (line) => io.err(line),
      });
    }
    if (args.json) printJson(io, { id: result.id, ...result.report });
    else io.out(formatReport(result.id, result.report));
    return result.report.rows_rejected > 0 || result.report.errors.length > 0 ? EXIT.FAILED : EXIT.OK;
  },
};

async function runViaApi(env: CliEnv, id: string): Promise<SyncReport> {
  const api = createApiClient(env.apiUrl!, env.apiKey, 15 * 60_000);
  const res = await api.call('POST', `/syncs/${encodeURIComponent(id)}/run`);
  if (res.status < 200 || res.status >= 300) throw apiError(res, `sync ${id} did not run`);
  return res.json as SyncReport;
}

function formatReport(id: string, report: SyncReport): string {
  const lines = [
    `sync ${id}`,
    `  rows read      ${report.rows_read}`,
    `  rows applied   ${report.rows_applied}`,
    `  rows rejected  ${report.rows_rejected}`,
    `  watermark      ${report.watermark === null ? '-' : JSON.stringify(report.watermark)}`,
  ];
  if (report.errors.length > 0) lines.push('  errors:', ...report.errors.map((e) => `    ${e.row ? `${e.row}: ` : ''}${e.message}`));
  return lines.join('\n');
}

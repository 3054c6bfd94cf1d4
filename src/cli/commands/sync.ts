// `liquidhook sync ID`: runs a configured table sync once through the service's API
// (POST /syncs/:id/run) and prints its report.
import { apiErrorMessage, createApiClient } from '../api-client.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { readCliEnv } from '../env.js';
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../io.js';

const HELP = `Usage: liquidhook sync SYNC_ID [--json]

Runs the table sync SYNC_ID once on the running service (POST /syncs/:id/run, with
LIQUIDHOOK_URL and LIQUIDHOOK_API_KEY) and prints its report. Exits 1 when the sync fails or
reports failed rows.

Options:
  --json        the report as JSON
  -h, --help    show this help
`;

export const syncCommand: Command = {
  name: 'sync',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv);
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [id, extra] = args.positionals;
    if (id === undefined) throw new UsageError('sync needs a SYNC_ID');
    if (extra !== undefined) throw new UsageError(`sync takes one SYNC_ID (unexpected "${extra}")`);
    const env = readCliEnv(io.env);
    if (!env.apiUrl) throw new CliError('sync runs on the service: set LIQUIDHOOK_URL (and LIQUIDHOOK_API_KEY)');
    const api = createApiClient(env.apiUrl, env.apiKey, 15 * 60_000);
    const res = await api.call('POST', `/syncs/${encodeURIComponent(id)}/run`);
    if (res.status < 200 || res.status >= 300) throw new CliError(`sync ${id} did not run: ${apiErrorMessage(res)}`);
    const report = res.json as Record<string, unknown> | undefined;
    if (args.json) printJson(io, report ?? {});
    else io.out(formatReport(id, report));
    return hasFailures(report) ? EXIT.FAILED : EXIT.OK;
  },
};

function formatReport(id: string, report: Record<string, unknown> | undefined): string {
  const lines = [`sync ${id}`];
  for (const [key, value] of Object.entries(report ?? {})) {
    lines.push(`  ${key.padEnd(16)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`);
  }
  return lines.join('\n');
}

function hasFailures(report: Record<string, unknown> | undefined): boolean {
  if (!report) return false;
  if (report.status === 'failed' || report.ok === false) return true;
  const failed = report.failed ?? report.failedRows ?? report.failed_rows;
  return typeof failed === 'number' && failed > 0;
}

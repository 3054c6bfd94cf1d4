// `liquidhook serve`: the HTTP API and the delivery worker, configured by environment variables.
import { loadConfig, renderConfigTable } from '../../config/index.js';
import { startService } from '../../server/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

const HELP = `Usage: liquidhook serve

Runs the API and the webhook delivery worker until SIGTERM or SIGINT (a second signal skips the
shutdown grace period). On first start without LIQUIDHOOK_API_KEY an API key is generated and
printed once.

Environment (every variable, its default and meaning):
${renderConfigTable('text')}`;

async function serve(env: Record<string, string | undefined>): Promise<void> {
  const config = loadConfig(env);
  // Another process serving this SQLite file is LH_DB_IN_USE: a plain message naming it.
  const service = await startService(config, { env });
  service.app.log.info({ url: service.url, db: config.db }, `liquidhook listening on ${service.url}`);
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      // A second signal means "now": skip the grace period.
      process.exit(130);
    }
    service.app.log.info({ signal }, 'shutdown requested');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

export const serveCommand: Command = {
  name: 'serve',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv);
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    if (args.positionals.length > 0) throw new UsageError(`serve takes no arguments (got "${args.positionals[0]}")`);
    await serve(io.env);
    return undefined;
  },
};

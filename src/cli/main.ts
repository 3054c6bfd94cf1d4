#!/usr/bin/env node
// liquidhook command line. `serve` runs the HTTP API and the delivery worker.
import { ConfigError, loadConfig } from '../config/index.js';
import { TemplatesDirError } from '../render/load.js';
import { TemplateCampaignError } from '../deliveries/template-campaigns.js';
import { startService } from '../server/service.js';

const USAGE = `Usage: liquidhook <command>

Commands:
  serve     Run the API and the webhook delivery worker (configured by environment variables)
  help      Show this help

Environment (serve): PORT, HOST, LIQUIDHOOK_DB, LIQUIDHOOK_API_KEY, LIQUIDHOOK_ALLOWED_HOSTS,
  LIQUIDHOOK_TEMPLATES_DIR, LIQUIDHOOK_WORKER_BATCH, LIQUIDHOOK_WORKER_CONCURRENCY, LIQUIDHOOK_MAX_PER_HOST,
  LIQUIDHOOK_POLL_MS,
  LIQUIDHOOK_LEASE_MS, LIQUIDHOOK_WEBHOOK_TIMEOUT_MS, LIQUIDHOOK_RETRY_WINDOW_MS,
  LIQUIDHOOK_SHUTDOWN_GRACE_MS, LOG_LEVEL
`;

async function serve(): Promise<void> {
  const config = loadConfig();
  const service = await startService(config);
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

async function main(argv: string[]): Promise<number | undefined> {
  const [command] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return undefined;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    // Expected configuration problems get a plain message, not a stack trace.
    if (error instanceof ConfigError || error instanceof TemplatesDirError || error instanceof TemplateCampaignError) {
      process.stderr.write(`liquidhook: ${error.message}\n`);
    } else {
      process.stderr.write(`liquidhook: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  },
);

// `liquidhook help [COMMAND]`: the command list, shared environment and exit codes.
import type { Command } from '../command.js';
import { COMMANDS, loadCommand, type CommandEntry } from './index.js';
import { UsageError } from '../errors.js';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.js';

export function usage(commands: readonly CommandEntry[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `Usage: liquidhook <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}Show this help, or a command's help (liquidhook help render)

Every command takes --help; most take --json for machine-readable output.
liquidhook --version prints the version.

Environment (besides serve's, see liquidhook serve --help):
  LIQUIDHOOK_URL, LIQUIDHOOK_API_KEY   a running service: --user, replay and sync use its API
  LIQUIDHOOK_DB                        SQLite file of the local database (default ./data/liquidhook.db)
  LIQUIDHOOK_DATABASE_URL              postgres:// URL of the local database (wins over LIQUIDHOOK_DB)
  LIQUIDHOOK_ALLOWED_HOSTS             destinations exempt from the SSRF guard (connected_content, send)
  template placeholders                e.g. SALESFORCE_INSTANCE_URL, SALESFORCE_CLIENT_ID, ...

${EXIT_CODES_HELP}`;
}

export function helpCommand(commands: readonly CommandEntry[] = COMMANDS): Command {
  return {
    name: 'help',
    help: usage(commands),
    async run(argv, io) {
      const [topic, extra] = argv.filter((a) => a !== '--help' && a !== '-h');
      if (topic === undefined) {
        io.out(usage(commands));
        return EXIT.OK;
      }
      if (extra !== undefined) throw new UsageError('help takes at most one COMMAND');
      const entry = commands.find((c) => c.name === topic);
      if (!entry) throw new UsageError(`unknown command "${topic}"`);
      io.out((await loadCommand(entry)).help);
      return EXIT.OK;
    },
  };
}

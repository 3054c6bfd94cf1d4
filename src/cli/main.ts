#!/usr/bin/env node
// liquidhook command line: one file per command under ./commands; this file picks the command,
// maps errors to exit codes (./exit-codes.ts) and keeps `serve` running until it is signalled.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/index.js';
import { TemplateCampaignError } from '../deliveries/template-campaigns.js';
import { TemplatesDirError } from '../render/load.js';
import { COMMANDS, loadCommand } from './commands/index.js';
import { helpCommand, usage } from './commands/help.js';
import { CliError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';

function version(): string {
  // The same relative path from src/cli/main.ts and dist/cli/main.js.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[], io: CliIo): Promise<number | undefined> {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
      io.err(usage(COMMANDS));
      return EXIT.USAGE;
    case '--help':
    case '-h':
      io.out(usage(COMMANDS));
      return EXIT.OK;
    case '--version':
    case '-v':
    case 'version':
      io.out(version());
      return EXIT.OK;
    case 'help':
      return helpCommand().run(rest, io);
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.err(`liquidhook: unknown command "${name}"\n\n${usage(COMMANDS)}`);
    return EXIT.USAGE;
  }
  const command = await loadCommand(entry);
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`liquidhook ${command.name}: ${error.message}\nRun "liquidhook ${command.name} --help" for usage.`);
      return EXIT.USAGE;
    }
    throw error;
  }
}

main(process.argv.slice(2), processIo).then(
  (code) => {
    // serve returns undefined and keeps running; other commands exit once output is flushed,
    // so idle keep-alive sockets cannot hold the process open.
    if (code !== undefined) process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    // Expected problems get a plain message, not a stack trace.
    if (error instanceof CliError) {
      process.stderr.write(`liquidhook: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    if (error instanceof ConfigError || error instanceof TemplatesDirError || error instanceof TemplateCampaignError) {
      process.stderr.write(`liquidhook: ${error.message}\n`);
    } else {
      process.stderr.write(`liquidhook: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  },
);

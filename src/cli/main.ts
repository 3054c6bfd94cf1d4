#!/usr/bin/env node
// liquidhook command line: one file per command under ./commands. `main` picks the command and
// maps coded errors to exit codes (./exit-codes.ts); it touches the process only through `io`, so tests
// run it in-process. Run as a program, this file wires it to the process and exits with its code,
// except for `serve`, which keeps running until it is signalled.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { codedErrorOf, hasCode } from '../errors/index.js';
import { COMMANDS, loadCommand } from './commands/index.js';
import { helpCommand, usage } from './commands/help.js';
import { EXIT, EXIT_CODE_OF } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';

function version(): string {
  // The same relative path from src/cli/main.ts and dist/cli/main.js.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs `liquidhook ...argv`; resolves to the exit code, or undefined while `serve` keeps running. */
export async function main(argv: string[], io: CliIo): Promise<number | undefined> {
  try {
    return await runCommand(argv, io);
  } catch (error) {
    // Problems reported on purpose (coded) get a plain message; a bug gets its stack trace.
    const coded = codedErrorOf(error);
    const bug = !coded || coded.code === 'LH_INTERNAL' || coded.code === 'LH_INVARIANT';
    io.err(`liquidhook: ${bug && error instanceof Error ? (error.stack ?? error.message) : (coded?.message ?? String(error))}`);
    return coded ? EXIT_CODE_OF[coded.code] : EXIT.FAILED;
  }
}

async function runCommand(argv: string[], io: CliIo): Promise<number | undefined> {
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
    if (hasCode(error, 'LH_USAGE')) {
      io.err(`liquidhook ${command.name}: ${(error as Error).message}\nRun "liquidhook ${command.name} --help" for usage.`);
      return EXIT_CODE_OF.LH_USAGE;
    }
    throw error;
  }
}

/** True when this file is the program node was started with (directly or through the npm bin link). */
function isProgramEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProgramEntry()) {
  const code = await main(process.argv.slice(2), processIo);
  // serve returns undefined and keeps running; other commands exit once output is flushed,
  // so idle keep-alive sockets cannot hold the process open.
  if (code !== undefined) process.stdout.write('', () => process.exit(code));
}

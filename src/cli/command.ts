// The shape of one command: its help text and how it runs (its one-line summary is in commands/index.ts). `run` returns the exit code, or
// undefined for a command that keeps the process alive (serve).
import type { CliIo } from './io.js';

export interface Command {
  name: string;
  /** Full `--help` text. */
  help: string;
  run(argv: string[], io: CliIo): Promise<number | undefined>;
}

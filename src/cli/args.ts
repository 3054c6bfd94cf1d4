// node:util parseArgs with the options every command shares (--help, --json) and usage errors
// that exit 2 instead of throwing a TypeError with a stack.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

type Value = string | boolean | (string | boolean)[] | undefined;

export class CommandArgs {
  constructor(
    private readonly values: Record<string, Value>,
    readonly positionals: string[],
  ) {}

  get help(): boolean {
    return this.values.help === true;
  }

  get json(): boolean {
    return this.values.json === true;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  strings(name: string): string[] {
    const value = this.values[name];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  /** A numeric option value, or a usage error naming the option. */
  number(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${value}")`);
    return n;
  }
}

export function parseCommandArgs(argv: string[], options: OptionSpec = {}): CommandArgs {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
    return new CommandArgs(parsed.values as Record<string, Value>, parsed.positionals);
  } catch (error) {
    // parseArgs messages are user-facing already ("Unknown option '--x'"); drop its long hint.
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional[\s\S]*$/, '') : String(error);
    throw new UsageError(message);
  }
}

// Errors the command line reports as one plain line (no stack trace) with a chosen exit code.
import { EXIT, type ExitCode } from './exit-codes.js';

export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: ExitCode = EXIT.FAILED,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line is wrong; the command's usage line is printed after the message. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
    this.name = 'UsageError';
  }
}

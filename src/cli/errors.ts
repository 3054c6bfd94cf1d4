// Errors of the command line itself. Every other problem a command reports is a coded error of
// the catalogue (src/errors); main prints its message as one plain line and exits with the code
// ./exit-codes.ts gives it.
import { CodedError } from '../errors/index.js';

/** The command line is wrong (LH_USAGE, exit 2); the command's usage hint is printed after the message. */
export class UsageError extends CodedError {
  constructor(message: string) {
    super('LH_USAGE', message);
    this.name = 'UsageError';
  }
}

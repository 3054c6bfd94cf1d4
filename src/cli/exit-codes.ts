// Process exit codes of the liquidhook command line. Scripts and CI jobs branch on these, so
// they are part of the public interface and listed in `liquidhook help`.
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** Something failed: bad input file, render error, non-2xx response, unreachable API. */
  FAILED: 1,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  USAGE: 2,
  /** The template ran `abort_message`: nothing would be sent. */
  ABORTED: 3,
  /** `lint` found at least one error-level finding. */
  LINT_FINDINGS: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  failed (invalid file, render error, non-2xx response, API or database error)
  2  usage error (unknown command or option, missing argument)
  3  render aborted by abort_message (the reason is printed)
  4  lint found errors
`;

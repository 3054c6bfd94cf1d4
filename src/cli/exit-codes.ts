// Process exit codes of the liquidhook command line. Scripts and CI jobs branch on these, so
// they are part of the public interface and listed in `liquidhook help`.
import type { ErrorCode } from '../errors/index.js';

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

/** The exit code of each coded error a command throws: the one map from the error catalogue to the process. */
export const EXIT_CODE_OF: Readonly<Record<ErrorCode, ExitCode>> = {
  LH_USAGE: EXIT.USAGE,
  LH_RENDER_ABORTED: EXIT.ABORTED,
  LH_INVALID_REQUEST: EXIT.FAILED,
  LH_INVALID_JSON: EXIT.FAILED,
  LH_UNAUTHORIZED: EXIT.FAILED,
  LH_NOT_FOUND: EXIT.FAILED,
  LH_BODY_TOO_LARGE: EXIT.FAILED,
  LH_UNSUPPORTED_MEDIA_TYPE: EXIT.FAILED,
  LH_RATE_LIMITED: EXIT.FAILED,
  LH_CAMPAIGN_INVALID: EXIT.FAILED,
  LH_WEBHOOK_INVALID: EXIT.FAILED,
  LH_TEMPLATE_INVALID: EXIT.FAILED,
  LH_CONTENT_BLOCK_INVALID: EXIT.FAILED,
  LH_CONTENT_BLOCK_IN_USE: EXIT.FAILED,
  LH_CONTENT_BLOCK_FROM_FILE: EXIT.FAILED,
  LH_SCORING_PROGRAM_INVALID: EXIT.FAILED,
  LH_HISTORY_INVALID: EXIT.FAILED,
  LH_SYNC_INVALID: EXIT.FAILED,
  LH_FILE_INVALID: EXIT.FAILED,
  LH_FILE_UNREADABLE: EXIT.FAILED,
  LH_ATTRIBUTE_OP: EXIT.FAILED,
  LH_SYNC_ROW_REJECTED: EXIT.FAILED,
  LH_REPLAY_REFUSED: EXIT.FAILED,
  LH_CURSOR_CONFLICT: EXIT.FAILED,
  LH_RENDER_FAILED: EXIT.FAILED,
  LH_LIMIT_EXCEEDED: EXIT.FAILED,
  LH_CONNECTED_CONTENT_FAILED: EXIT.FAILED,
  LH_SIGNING_SECRET_MISSING: EXIT.FAILED,
  LH_SIGNING_SECRET_INVALID: EXIT.FAILED,
  LH_RENDER_BUSY: EXIT.FAILED,
  LH_DRY_RUNS_BUSY: EXIT.FAILED,
  LH_DB_UNAVAILABLE: EXIT.FAILED,
  LH_DB_IN_USE: EXIT.FAILED,
  LH_API_UNREACHABLE: EXIT.FAILED,
  LH_API_FAILED: EXIT.FAILED,
  LH_CONFIG_INVALID: EXIT.FAILED,
  LH_INVARIANT: EXIT.FAILED,
  LH_INTERNAL: EXIT.FAILED,
};

export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  failed (invalid file, render error, non-2xx response, API or database error)
  2  usage error (unknown command or option, missing argument)
  3  render aborted by abort_message (the reason is printed)
  4  lint found errors
`;

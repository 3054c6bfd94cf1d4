// Every error liquidhook reports on purpose, by stable code (as fastify's lib/errors.js lists its
// FST_ERR_* codes): the HTTP status the API answers with and the message used when the error
// gives none. Codes are a public contract: API clients and scripts branch on them, so a code is
// never renamed or reused. The CLI maps each code to an exit code (src/cli/exit-codes.ts).

export interface ErrorEntry {
  /** The API's answer for this error. */
  status: number;
  /** Default message; for a 500 the only one shown (details stay in the service log). */
  message: string;
}

export const ERROR_CATALOGUE = {
  // The request itself.
  LH_INVALID_REQUEST: { status: 400, message: 'invalid request' },
  LH_INVALID_JSON: { status: 400, message: 'malformed JSON body' },
  LH_UNAUTHORIZED: { status: 401, message: 'missing or invalid API key (send Authorization: Bearer <key>)' },
  LH_NOT_FOUND: { status: 404, message: 'not found' },
  LH_BODY_TOO_LARGE: { status: 413, message: 'request body too large' },
  LH_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported content type; send Content-Type: application/json' },
  LH_RATE_LIMITED: { status: 429, message: 'rate limit exceeded' },
  LH_USAGE: { status: 400, message: 'invalid command line' },

  // Definitions: campaigns, webhooks, templates, content blocks, scoring programs, syncs, files.
  LH_CAMPAIGN_INVALID: { status: 400, message: 'invalid campaign' },
  LH_WEBHOOK_INVALID: { status: 400, message: 'invalid webhook' },
  LH_TEMPLATE_INVALID: { status: 400, message: 'template does not parse' },
  LH_CONTENT_BLOCK_INVALID: { status: 400, message: 'invalid content block' },
  LH_CONTENT_BLOCK_IN_USE: { status: 409, message: 'content block is included elsewhere' },
  LH_CONTENT_BLOCK_FROM_FILE: { status: 409, message: 'content block is defined by a file' },
  LH_SCORING_PROGRAM_INVALID: { status: 400, message: 'invalid scoring program' },
  LH_HISTORY_INVALID: { status: 400, message: 'invalid history' },
  LH_SYNC_INVALID: { status: 400, message: 'invalid sync' },
  LH_FILE_INVALID: { status: 400, message: 'invalid file' },
  LH_FILE_UNREADABLE: { status: 400, message: 'cannot read file' },

  // Profiles and deliveries.
  LH_ATTRIBUTE_OP: { status: 400, message: 'the stored attribute does not allow this operation' },
  LH_SYNC_ROW_REJECTED: { status: 400, message: 'sync row rejected' },
  LH_REPLAY_REFUSED: { status: 409, message: 'replay refused' },
  LH_CURSOR_CONFLICT: { status: 409, message: 'cursor moved by someone else' },

  // Rendering and sending (LH_TEMPLATE_INVALID, LH_RENDER_*, LH_LIMIT_EXCEEDED and
  // LH_CONNECTED_CONTENT_FAILED are also the codes of the Liquid engine's own errors).
  LH_RENDER_FAILED: { status: 422, message: 'webhook did not render' },
  LH_LIMIT_EXCEEDED: { status: 422, message: 'render limit exceeded' },
  LH_RENDER_ABORTED: { status: 422, message: 'render aborted by abort_message' },
  LH_CONNECTED_CONTENT_FAILED: { status: 502, message: 'connected_content request failed' },
  LH_SIGNING_SECRET_MISSING: { status: 422, message: 'signing secret is not configured' },
  LH_SIGNING_SECRET_INVALID: { status: 422, message: 'signing secret is not a Standard Webhooks secret' },
  LH_RENDER_BUSY: { status: 503, message: 'every render thread is busy; retry later' },
  LH_DRY_RUNS_BUSY: { status: 503, message: 'too many dry runs are running; retry later' },

  // The service and what it depends on.
  LH_DB_UNAVAILABLE: { status: 503, message: 'database unavailable: nothing was written, retry later' },
  LH_DB_IN_USE: { status: 409, message: 'the SQLite database is already served by another process' },
  LH_API_UNREACHABLE: { status: 502, message: 'cannot reach the liquidhook API' },
  LH_API_FAILED: { status: 502, message: 'the liquidhook API answered with an error' },
  LH_CONFIG_INVALID: { status: 500, message: 'the service configuration is invalid (see the service log)' },
  LH_INVARIANT: { status: 500, message: 'internal error' },
  LH_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<`LH_${string}`, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

/** The HTTP status the API answers `code` with. */
export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

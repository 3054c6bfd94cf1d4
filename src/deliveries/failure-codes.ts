// Why a send failed, as a FailureCode: every mapping from what went wrong (a dispatcher error
// kind, an HTTP status, a render error, a stop before sending) to a code is here.
import type { FailureCode } from '../domain/index.js';
import type { AttemptErrorKind, AttemptOutcome } from '../dispatch/index.js';
import type { RenderAbort } from '../liquid/index.js';
import { WebhookRenderError } from '../render/index.js';

const BY_ERROR_KIND: Record<AttemptErrorKind, FailureCode> = {
  connection: 'connection',
  // The connection broke mid-exchange: still the host's connection, as the code's docs say.
  network: 'connection',
  timeout: 'timeout',
  ssrf_blocked: 'ssrf_blocked',
  circuit_open: 'circuit_open',
  invalid_request: 'invalid_request',
};

/** The code of an attempt that did not succeed; `undefined` for a 2xx. */
export function attemptFailureCode(outcome: AttemptOutcome): FailureCode | undefined {
  if (outcome.error) return BY_ERROR_KIND[outcome.error.kind];
  if (outcome.status === undefined) return 'internal';
  return outcome.ok ? undefined : 'http_status';
}

/** The code of an error thrown while rendering: a template error, a limit, or a bug. */
export function renderFailureCode(error: unknown): FailureCode {
  if (error instanceof WebhookRenderError) return error.limitExceeded ? 'limit_exceeded' : 'render_failed';
  return 'internal';
}

/** An abort_message is the template's decision (no code); a failed connected_content call is not. */
export function abortCode(abort: RenderAbort): FailureCode | undefined {
  return abort.failure === 'connected_content' ? 'connected_content_failed' : undefined;
}

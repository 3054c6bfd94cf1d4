// Why a delivery did not (yet) reach its destination, as a code beside the human message. Codes are
// stable: they are stored with the delivery, exported, and counted in /metrics.
import { z } from 'zod';

export const FAILURE_CODES = [
  /** The template could not be rendered (syntax or runtime error). */
  'render_failed',
  /** A render limit stopped the template (time, output size, loop iterations, nesting, memory). */
  'limit_exceeded',
  /** The delivery's campaign no longer exists or is inactive. */
  'campaign_missing',
  /** A connected_content call the template depends on failed (or named an unknown credential): the message was aborted. */
  'connected_content_failed',
  /** The destination address is not allowed by the SSRF guard. */
  'ssrf_blocked',
  /** The request itself is unusable (bad URL, bad signing secret). */
  'invalid_request',
  /** The destination answered with a status that is not 2xx. */
  'http_status',
  /** Connected, but the response did not complete in time. */
  'timeout',
  /** The host could not be reached, or the connection broke mid-exchange. */
  'connection',
  /** The host's circuit breaker held the request back. */
  'circuit_open',
  /** The service's own database could not be read before sending (a restart, an outage): nothing was sent. */
  'database_unavailable',
  /** Anything else: a bug or an unexpected failure. */
  'internal',
] as const;

export const FailureCodeSchema = z.enum(FAILURE_CODES);
export type FailureCode = z.infer<typeof FailureCodeSchema>;

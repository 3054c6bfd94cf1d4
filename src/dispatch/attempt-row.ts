// An attempt as one row of the delivery log (matches the store's DeliveryAttempt minus deliveryId).
import type { AttemptResult } from './types.js';

export interface AttemptRow {
  attempt: number;
  /** ISO-8601 start of the attempt. */
  at: string;
  statusCode?: number;
  latencyMs: number;
  /** Already truncated and redacted by the dispatcher. */
  responseBody?: string;
  error?: string;
}

export function toAttemptRow(attempt: number, result: AttemptResult): AttemptRow {
  return {
    attempt,
    at: new Date(result.startedAt).toISOString(),
    ...(result.status !== undefined ? { statusCode: result.status } : {}),
    latencyMs: result.latencyMs,
    ...(result.responseBody ? { responseBody: result.responseBody } : {}),
    ...(result.error ? { error: `${result.error.kind}: ${result.error.message}` } : {}),
  };
}

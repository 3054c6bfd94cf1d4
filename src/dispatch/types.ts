// Shapes shared by the dispatcher, the retry policy and the delivery loop.
import { z } from 'zod';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** One outbound webhook request, fully rendered. */
export const WebhookRequestSchema = z.object({
  url: z
    .string()
    .url()
    .refine((u) => /^https?:$/i.test(new URL(u).protocol), 'webhook URL must use http or https'),
  method: z.enum(HTTP_METHODS).default('POST'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().default(''),
  /** Stable across retries of the same delivery; sent as `Idempotency-Key` (and `webhook-id`). */
  idempotencyKey: z.string().min(1).max(256),
  /** Standard Webhooks secret (`whsec_<base64>`); when present the request is signed. */
  signingSecret: z.string().min(1).optional(),
  /** Secret values the request may carry without naming them (tokens the render saved): scrubbed from responses and logs. */
  secrets: z.array(z.string()).optional(),
});
export type WebhookRequest = z.input<typeof WebhookRequestSchema>;
export type ParsedWebhookRequest = z.output<typeof WebhookRequestSchema>;

/**
 * Why an attempt produced no usable response.
 * - connection: the host could not be reached (refused, DNS failure, connect timeout)
 * - timeout: connected, but the response did not complete within the total timeout
 * - network: the connection broke mid-exchange (reset, socket closed)
 * - ssrf_blocked: the destination address is not allowed
 * - circuit_open: the host's circuit breaker held the request back (no network use)
 * - invalid_request: the request itself is unusable (bad URL, bad signing secret)
 */
export type AttemptErrorKind = 'connection' | 'timeout' | 'network' | 'ssrf_blocked' | 'circuit_open' | 'invalid_request';

export interface AttemptError {
  kind: AttemptErrorKind;
  message: string;
  code?: string;
}

/** Result of exactly one HTTP attempt. Everything in it is safe to log and store. */
export interface AttemptResult {
  /** True for a 2xx response. */
  ok: boolean;
  status?: number;
  /** Response headers, lower-cased names, secret values redacted. */
  headers: Record<string, string>;
  /** Response body, truncated and redacted. */
  responseBody: string;
  responseTruncated: boolean;
  /** Wall time of the network exchange (0 when the network was not used). */
  latencyMs: number;
  /** Epoch ms when the attempt started (after any wait for a host slot). */
  startedAt: number;
  error?: AttemptError;
  /** Server-requested wait (Retry-After / X-Rate-Limit-Reset) or breaker probe wait. */
  retryAfterMs?: number;
  /** The attempt failed and the host's circuit is open: the breaker probes it again in this long. */
  circuitOpenForMs?: number;
}

/** The parts of an attempt the retry policy looks at. */
export type AttemptOutcome = Pick<AttemptResult, 'ok' | 'status' | 'error' | 'retryAfterMs' | 'circuitOpenForMs'>;

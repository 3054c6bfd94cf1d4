// One connected_content call over the network, with Braze's `:retry` policy: up to five
// attempts with exponential backoff on network errors, timeouts and overload statuses.
import type { ConnectedContentFetcher, ConnectedContentRequest, ConnectedContentResponse } from '../types.js';
import { ConnectedContentFetchError, tooLargeError, type FetchFailureKind } from './fetcher.js';

export const MAX_ATTEMPTS = 5;

export interface CallOutcome {
  response?: ConnectedContentResponse;
  failure?: { kind: FetchFailureKind; message: string };
  attempts: number;
}

export interface RetryPolicy {
  retry: boolean;
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** Statuses worth another try: server errors plus timeouts and rate limiting. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function isRetryableFailure(kind: FetchFailureKind): boolean {
  return kind === 'network' || kind === 'timeout';
}

// Promise chains rather than async functions: every render of a campaign with a token request
// goes through here, and each async frame costs an extra promise and microtask.
export function performCall(
  fetcher: ConnectedContentFetcher,
  req: ConnectedContentRequest,
  policy: RetryPolicy,
): Promise<CallOutcome> {
  const maxAttempts = policy.retry ? MAX_ATTEMPTS : 1;
  const attempt = (n: number): Promise<CallOutcome> =>
    attemptOnce(fetcher, req, n).then((outcome) => {
      const retryable = outcome.response
        ? isRetryableStatus(outcome.response.status)
        : isRetryableFailure(outcome.failure!.kind);
      if (!retryable || n >= maxAttempts) return outcome;
      return policy.sleep(policy.baseDelayMs * 2 ** (n - 1)).then(() => attempt(n + 1));
    });
  return attempt(1);
}

function attemptOnce(
  fetcher: ConnectedContentFetcher,
  req: ConnectedContentRequest,
  attempts: number,
): Promise<CallOutcome> {
  let pending: Promise<ConnectedContentResponse>;
  try {
    pending = Promise.resolve(fetcher(req));
  } catch (err) {
    return Promise.resolve(failedAttempt(err, attempts));
  }
  return pending.then(
    (response) => {
      try {
        // Custom fetchers are held to the same size cap as the default one.
        if (Buffer.byteLength(response.body, 'utf8') > req.maxBytes) {
          const err = tooLargeError(req.maxBytes);
          return { failure: { kind: err.kind, message: err.message }, attempts };
        }
        return { response, attempts };
      } catch (err) {
        return failedAttempt(err, attempts);
      }
    },
    (err: unknown) => failedAttempt(err, attempts),
  );
}

function failedAttempt(err: unknown, attempts: number): CallOutcome {
  if (err instanceof ConnectedContentFetchError) return { failure: { kind: err.kind, message: err.message }, attempts };
  return { failure: { kind: 'network', message: err instanceof Error ? err.message : String(err) }, attempts };
}

/** A `:retry` call that still failed aborts the message, as Braze does. */
export function isFinalFailure(outcome: CallOutcome): boolean {
  return outcome.failure !== undefined || isRetryableStatus(outcome.response!.status);
}

// A small client for a running service's HTTP API (LIQUIDHOOK_URL, LIQUIDHOOK_API_KEY). An error
// the API answers with keeps its code, so the command exits as it would have run locally.
import { CodedError, isErrorCode } from '../errors/index.js';

export interface ApiResponse {
  status: number;
  json: unknown;
}

export interface ApiClient {
  readonly baseUrl: string;
  call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<ApiResponse>;
}

export function createApiClient(baseUrl: string, apiKey: string | undefined, timeoutMs = 30_000): ApiClient {
  return {
    baseUrl,
    async call(method, path, body) {
      let res: Response;
      try {
        res = await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
        throw new CodedError('LH_API_UNREACHABLE', `cannot reach the liquidhook API at ${baseUrl}: ${reason}`, { cause: error });
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = text;
      }
      if (res.status === 401) throw new CodedError('LH_UNAUTHORIZED', `the API at ${baseUrl} refused the request (401): set LIQUIDHOOK_API_KEY`);
      return { status: res.status, json };
    },
  };
}

/** The `message` (and field errors) of the API's error shape, for one-line reports. */
export function apiErrorMessage(response: ApiResponse): string {
  const body = response.json as { message?: unknown; errors?: { path?: string; message?: string }[] } | undefined;
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${response.status}`;
  const details = Array.isArray(body?.errors) ? body.errors.map((e) => `${e.path ? `${e.path}: ` : ''}${e.message ?? ''}`) : [];
  return details.length > 0 ? `${message} (${details.join('; ')})` : message;
}

/** The API's error as a coded error told from the command's side (`cannot replay delivery d3: …`). */
export function apiError(response: ApiResponse, context: string): CodedError {
  const code = (response.json as { code?: unknown } | undefined)?.code;
  return new CodedError(isErrorCode(code) ? code : 'LH_API_FAILED', `${context}: ${apiErrorMessage(response)}`);
}

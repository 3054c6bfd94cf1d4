// The default network edge of connected_content: one undici request, no redirects followed,
// bounded in time (headers and body together) and in response size.
import { readFileSync } from 'node:fs';
import { request, type Dispatcher } from 'undici';
import { LIQUID_ERROR_CODES } from '../errors.js';
import type { ConnectedContentFetcher, ConnectedContentRequest, ConnectedContentResponse } from '../types.js';

export type FetchFailureKind = 'timeout' | 'too_large' | 'network' | 'invalid_url';

/** A request that produced no usable response. Custom fetchers may throw it to pick a kind. */
export class ConnectedContentFetchError extends Error {
  constructor(
    public readonly kind: FetchFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectedContentFetchError';
  }

  get code(): typeof LIQUID_ERROR_CODES.connectedContent {
    return LIQUID_ERROR_CODES.connectedContent;
  }
}

export function tooLargeError(maxBytes: number): ConnectedContentFetchError {
  return new ConnectedContentFetchError('too_large', `response larger than ${maxBytes} bytes`);
}

export function createUndiciFetcher(dispatcher?: Dispatcher): ConnectedContentFetcher {
  return async (req) => {
    const url = checkedUrl(req.url);
    const signal = AbortSignal.timeout(req.timeoutMs);
    let res: Dispatcher.ResponseData;
    try {
      // undici's request never follows redirects unless a redirect interceptor is installed.
      res = await request(url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        ...(dispatcher ? { dispatcher } : {}),
      });
    } catch (err) {
      throw failure(err, signal, req);
    }
    return readResponse(res, signal, req);
  };
}

async function readResponse(
  res: Dispatcher.ResponseData,
  signal: AbortSignal,
  req: ConnectedContentRequest,
): Promise<ConnectedContentResponse> {
  const headers = flattenHeaders(res.headers);
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > req.maxBytes) {
    discard(res.body);
    throw tooLargeError(req.maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      // Throwing ends the loop, which destroys the stream and frees the connection.
      if (size > req.maxBytes) throw tooLargeError(req.maxBytes);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    throw failure(err, signal, req);
  }
  return { status: res.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') };
}

/** Drop an unread body without an unhandled 'error' event from the destroyed stream. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

function checkedUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConnectedContentFetchError('invalid_url', 'invalid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConnectedContentFetchError('invalid_url', `unsupported URL scheme ${url.protocol}`);
  }
  return url;
}

function failure(err: unknown, signal: AbortSignal, req: ConnectedContentRequest): ConnectedContentFetchError {
  if (err instanceof ConnectedContentFetchError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (signal.aborted || /TIMEOUT/.test(code)) {
    return new ConnectedContentFetchError('timeout', `timed out after ${req.timeoutMs} ms`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectedContentFetchError('network', code ? `${code}: ${message}` : message);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** `liquidhook/<version>` from the package manifest, or `liquidhook` when it cannot be read. */
export function defaultUserAgent(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      name?: string;
      version?: string;
    };
    return manifest.name === 'liquidhook' && manifest.version ? `liquidhook/${manifest.version}` : 'liquidhook';
  } catch {
    return 'liquidhook';
  }
}

// Turns a rendered connected_content call into the HTTP request to make (pure).
import { createHash } from 'node:crypto';
import { LIQUID_ERROR_CODES } from '../errors.js';
import type { ConnectedContentRequest, Credential } from '../types.js';
import { MAX_CACHE_SECONDS } from './markup.js';

/** A call after its Liquid parts have been rendered in the current scope. */
export interface RenderedCall {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers: Record<string, string>;
  contentType?: string;
  auth?: { kind: 'basic_auth' | 'auth_credentials'; name: string; credential: Credential };
}

export interface RequestLimits {
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
}

export class ConnectedContentConfigError extends Error {
  constructor(message: string) {
    super(`connected_content: ${message}`);
    this.name = 'ConnectedContentConfigError';
  }

  get code(): typeof LIQUID_ERROR_CODES.render {
    return LIQUID_ERROR_CODES.render;
  }
}

const FORM = 'application/x-www-form-urlencoded';

export function buildRequest(call: RenderedCall, limits: RequestLimits): ConnectedContentRequest {
  const headers = new HeaderMap();
  headers.set('User-Agent', limits.userAgent);
  // Braze defaults: Accept */*, Content-Type application/json (GET) or form-encoded (POST);
  // `:content_type` sets both Content-Type and Accept.
  headers.put('Accept', '*/*');
  headers.put('Content-Type', call.method === 'POST' ? FORM : 'application/json');
  if (call.contentType) {
    headers.set('Content-Type', call.contentType);
    headers.set('Accept', call.contentType);
  }
  for (const [name, value] of Object.entries(call.headers)) headers.set(name, value);
  if (call.auth) headers.set('Authorization', authorizationValue(call.auth));

  let body = call.body;
  if (body !== undefined && isJsonType(headers.get('Content-Type'))) body = jsonEncodeBody(body);
  return {
    url: call.url,
    method: call.method,
    headers: headers.toObject(),
    ...(body !== undefined ? { body } : {}),
    timeoutMs: limits.timeoutMs,
    maxBytes: limits.maxBytes,
  };
}

function authorizationValue(auth: NonNullable<RenderedCall['auth']>): string {
  const { credential, name, kind } = auth;
  if (kind === 'auth_credentials' && credential.token) {
    // A token that already names its scheme ("Token abc", "Bearer abc") is sent as-is.
    return /^[A-Za-z][\w-]*\s+\S/.test(credential.token) ? credential.token : `Bearer ${credential.token}`;
  }
  if (credential.username === undefined || credential.password === undefined) {
    const needs = kind === 'basic_auth' ? 'a username and password' : 'a token or a username and password';
    throw new ConnectedContentConfigError(`credential "${name}" used by :${kind} needs ${needs}`);
  }
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}

function isJsonType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/([\w.-]+\+)?json\b/i.test(contentType.trim());
}

/**
 * With a JSON content type Braze sends JSON bodies as written and JSON-encodes form bodies
 * (`a=1&b=2` becomes `{"a":"1","b":"2"}`).
 */
export function jsonEncodeBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '' || isJson(trimmed)) return body;
  const object: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(trimmed)) object[key] = value;
  return JSON.stringify(object);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Seconds to cache a response; 0 means do not cache. GET caches by default, POST only on request. */
export function cacheSeconds(
  method: 'GET' | 'POST',
  opts: { noCache: boolean; cacheMaxAge?: number },
  defaultGetSeconds: number,
): number {
  if (opts.noCache) return 0;
  const seconds = opts.cacheMaxAge ?? (method === 'GET' ? defaultGetSeconds : 0);
  return Math.min(Math.max(seconds, 0), MAX_CACHE_SECONDS);
}

/**
 * Cache key: everything that can change the response (method, URL, headers other than the
 * User-Agent, body). Hashed so the cache never holds credentials in clear.
 */
export function cacheKey(req: ConnectedContentRequest): string {
  const headers = Object.entries(req.headers)
    .filter(([name]) => name.toLowerCase() !== 'user-agent')
    .map(([name, value]) => [name.toLowerCase(), value])
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0));
  const material = JSON.stringify([req.method, req.url, headers, req.body ?? null]);
  return createHash('sha256').update(material).digest('hex');
}

/** Case-insensitive header map that keeps the spelling of the last writer. */
class HeaderMap {
  private readonly entries = new Map<string, [string, string]>();
  set(name: string, value: string): void {
    const clean = name.trim();
    value = value.trim();
    if (!/^[!#$%&'*+.^_`|~\w-]+$/.test(clean)) throw new ConnectedContentConfigError(`invalid header name "${name}"`);
    if (/[\r\n]/.test(value)) throw new ConnectedContentConfigError(`header "${clean}" value contains a line break`);
    this.put(clean, value);
  }
  /** A header this module names itself: nothing to check. */
  put(name: string, value: string): void {
    this.entries.set(name.toLowerCase(), [name, value]);
  }
  get(name: string): string | undefined {
    return this.entries.get(name.toLowerCase())?.[1];
  }
  toObject(): Record<string, string> {
    return Object.fromEntries(this.entries.values());
  }
}

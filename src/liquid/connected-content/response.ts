// What a connected_content response does to the message (pure), following Braze:
// - JSON is parsed and stored in the `:save` variable, or in `connected` without `:save`;
//   a JSON object also gets `__http_status_code__`.
// - Text (anything that is not valid JSON) replaces the tag, or is stored when `:save` is given.
// - A failed call (no response, or a non-2xx status without a JSON object body) renders an
//   empty string and leaves the variable nil, so templates can test it and abort.
import type { ConnectedContentResponse } from '../types.js';

export const DEFAULT_VARIABLE = 'connected';
export const STATUS_KEY = '__http_status_code__';

export interface Interpretation {
  output: string;
  variable: string;
  /** Value to store in `variable`; null means nil. Absent means leave the scope alone. */
  value?: unknown;
}

export function interpretResponse(response: ConnectedContentResponse | undefined, save: string | undefined): Interpretation {
  const variable = save ?? DEFAULT_VARIABLE;
  if (!response) return { output: '', variable, value: null };
  const ok = response.status >= 200 && response.status < 300;
  const parsed = parseJson(response.body);
  if (parsed.ok) {
    // The parsed object is this call's own: the status is added in place rather than by a copy.
    if (isPlainObject(parsed.value)) parsed.value[STATUS_KEY] = response.status;
    const value = parsed.value;
    if (ok || isPlainObject(parsed.value)) return { output: '', variable, value };
    return { output: '', variable, value: null };
  }
  if (!ok) return { output: '', variable, value: null };
  return save === undefined ? { output: response.body, variable } : { output: '', variable, value: response.body };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  // JSON.parse skips JSON's own whitespace; only other leading or trailing spaces (a BOM, a
  // no-break space) need the trimmed copy.
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // falls through
  }
  const trimmed = text.trim();
  if (trimmed === text) return { ok: false };
  if (trimmed === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TOKEN_FIELD = /(token|secret|password|passwd|api[_-]?key|apikey|assertion)$/i;
const MAX_WALK = 2000;

/**
 * String values of token-like fields (access_token, id_token, refresh_token, client_secret...)
 * anywhere in a saved value, so logs and previews can redact them by value.
 */
export function tokenValues(value: unknown): string[] {
  const found: string[] = [];
  let budget = MAX_WALK;
  const walk = (node: unknown, depth: number): void => {
    if (budget-- <= 0 || depth > 8 || typeof node !== 'object' || node === null) return;
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'string' && TOKEN_FIELD.test(key) && child.length >= 4) found.push(child);
      else walk(child, depth + 1);
    }
  };
  walk(value, 0);
  return found;
}

/** Values of secret-looking fields of a form body (`client_secret=...`). */
export function formSecretValues(body: string, isSecretKey: (name: string) => boolean): string[] {
  if (/^\s*[[{]/.test(body)) {
    try {
      return tokenValues(JSON.parse(body));
    } catch {
      return [];
    }
  }
  const found: string[] = [];
  for (const pair of body.trim().split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const [key, raw] = [pair.slice(0, eq), pair.slice(eq + 1)];
    if (!isSecretKey(decodeFormPart(key))) continue;
    // Register both spellings: the raw one may be echoed, the decoded one may be JSON-encoded.
    for (const value of new Set([raw, decodeFormPart(raw)])) if (value.length >= 4) found.push(value);
  }
  return found;
}

function decodeFormPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

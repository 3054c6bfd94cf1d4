// Parses the markup of `{% connected_content URL :option value ... %}` into a validated spec.
// Pure: no Liquid rendering here; values that may hold Liquid stay as source text.
import { z } from 'zod';
import { LIQUID_ERROR_CODES } from '../errors.js';

/** Options that take a value, and flags that stand alone. */
const VALUE_OPTIONS = ['method', 'body', 'headers', 'content_type', 'basic_auth', 'auth_credentials', 'save', 'cache_max_age'] as const;
const FLAG_OPTIONS = ['no_cache', 'retry'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];
type FlagOption = (typeof FLAG_OPTIONS)[number];

/** Braze caps `:cache_max_age` at four hours. */
export const MAX_CACHE_SECONDS = 4 * 60 * 60;

const identifier = z.string().regex(/^[A-Za-z_][\w-]*$/, 'must be a plain variable name');
const credentialName = z.string().regex(/^[\w.-]+$/, 'must be a credential name (letters, digits, _ . -)');

/** The validated shape of one tag's markup. Liquid-bearing fields are template source text. */
export const connectedContentSpecSchema = z.object({
  url: z.string().min(1),
  method: z.enum(['GET', 'POST']),
  body: z.string().optional(),
  headers: z.string().optional(),
  contentType: z.string().optional(),
  basicAuth: credentialName.optional(),
  authCredentials: credentialName.optional(),
  save: identifier.optional(),
  cacheMaxAge: z.number().int().min(0).optional(),
  noCache: z.boolean(),
  retry: z.boolean(),
});
export type ConnectedContentSpec = z.infer<typeof connectedContentSpecSchema>;

export class ConnectedContentSyntaxError extends Error {
  constructor(message: string) {
    super(`connected_content: ${message}`);
    this.name = 'ConnectedContentSyntaxError';
  }

  get code(): typeof LIQUID_ERROR_CODES.parse {
    return LIQUID_ERROR_CODES.parse;
  }
}

export function parseConnectedContentMarkup(markup: string): ConnectedContentSpec {
  const words = splitWords(markup);
  const [url, ...rest] = words;
  if (url === undefined || url.startsWith(':')) throw new ConnectedContentSyntaxError('expected a URL after the tag name');

  const seen = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (!word.startsWith(':')) throw new ConnectedContentSyntaxError(`unexpected "${word}"; options are written ":name value"`);
    const name = word.slice(1);
    if (seen.has(name)) throw new ConnectedContentSyntaxError(`option :${name} given twice`);
    if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
      seen.set(name, true);
    } else if ((VALUE_OPTIONS as readonly string[]).includes(name)) {
      const value = rest[i + 1];
      if (value === undefined || value.startsWith(':')) throw new ConnectedContentSyntaxError(`option :${name} needs a value`);
      seen.set(name, value);
      i++;
    } else {
      const known = [...VALUE_OPTIONS, ...FLAG_OPTIONS].map((o) => `:${o}`).join(' ');
      throw new ConnectedContentSyntaxError(`unknown option :${name} (known: ${known})`);
    }
  }
  return validate(url, seen);
}

function validate(url: string, seen: Map<string, string | true>): ConnectedContentSpec {
  const value = (name: ValueOption) => seen.get(name) as string | undefined;
  const flag = (name: FlagOption) => seen.has(name);
  const method = (value('method') ?? 'get').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    throw new ConnectedContentSyntaxError(`:method ${value('method')} is not supported; use get or post`);
  }
  const maxAge = value('cache_max_age');
  if (maxAge !== undefined && !/^\d+$/.test(maxAge)) {
    throw new ConnectedContentSyntaxError(`:cache_max_age must be a whole number of seconds, got "${maxAge}"`);
  }
  if (value('basic_auth') !== undefined && value('auth_credentials') !== undefined) {
    throw new ConnectedContentSyntaxError('use either :basic_auth or :auth_credentials, not both');
  }
  const result = connectedContentSpecSchema.safeParse({
    url,
    method,
    body: value('body'),
    headers: value('headers'),
    contentType: value('content_type'),
    basicAuth: value('basic_auth'),
    authCredentials: value('auth_credentials'),
    save: value('save'),
    cacheMaxAge: maxAge === undefined ? undefined : Number(maxAge),
    noCache: flag('no_cache'),
    retry: flag('retry'),
  });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConnectedContentSyntaxError(`${optionLabel(String(issue.path[0]))} ${issue.message}`);
  }
  return result.data;
}

function optionLabel(field: string): string {
  const names: Record<string, string> = {
    save: ':save', basicAuth: ':basic_auth', authCredentials: ':auth_credentials', cacheMaxAge: ':cache_max_age',
  };
  return names[field] ?? field;
}

/**
 * Split markup on whitespace, keeping `{{ ... }}` outputs and balanced `{...}` JSON (with
 * quoted strings) whole, so `:headers {...}` may span lines and URLs may hold `{{ x | f }}`.
 */
export function splitWords(markup: string): string[] {
  const words: string[] = [];
  let i = 0;
  const n = markup.length;
  while (i < n) {
    while (i < n && /\s/.test(markup[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let depth = 0;
    while (i < n && (depth > 0 || !/\s/.test(markup[i]!))) {
      if (markup.startsWith('{{', i)) {
        const end = markup.indexOf('}}', i + 2);
        if (end < 0) throw new ConnectedContentSyntaxError(`unclosed "{{" in "${markup.slice(start, start + 40)}"`);
        i = end + 2;
      } else if (markup[i] === '{') {
        depth++;
        i++;
      } else if (markup[i] === '}' && depth > 0) {
        depth--;
        i++;
      } else if (markup[i] === '"' && depth > 0) {
        i = skipQuoted(markup, i);
      } else {
        i++;
      }
    }
    if (depth > 0) throw new ConnectedContentSyntaxError(`unbalanced "{" in "${markup.slice(start, start + 40)}"`);
    words.push(markup.slice(start, i));
  }
  return words;
}

/** Index just past the closing quote of the JSON string starting at `i`. */
function skipQuoted(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') {
    if (text.startsWith('{{', j)) {
      const end = text.indexOf('}}', j + 2);
      j = end < 0 ? text.length : end + 2;
    } else {
      j += text[j] === '\\' ? 2 : 1;
    }
  }
  if (j >= text.length) throw new ConnectedContentSyntaxError(`unclosed string in "${text.slice(i, i + 40)}"`);
  return j + 1;
}

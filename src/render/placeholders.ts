// Configuration placeholders: literal text in a template (such as `[client_id]` or
// `https://YOUR_SALESFORCE_INSTANCE.my.salesforce.com`) that is replaced by a configured value
// before rendering, so a template can stay exactly as its guide prints it.
import { z } from 'zod';
import type { Webhook } from '../domain/index.js';
import { CodedError } from '../errors/index.js';

export const PlaceholderSchema = z
  .object({
    /** Literal text to replace, exactly as it appears in the template. */
    text: z.string().min(1).max(200),
    /** Environment variable (or config key) holding the value. */
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env must be a variable name such as SALESFORCE_CLIENT_ID'),
    description: z.string().max(500).optional(),
    /** Secret values are redacted from previews and logs. */
    secret: z.boolean().default(false),
    /** `origin`: the value must be an http(s) origin such as `https://acme.my.salesforce.com`. */
    kind: z.enum(['text', 'origin']).default('text'),
  })
  .strict();

export type Placeholder = z.output<typeof PlaceholderSchema>;

/** A placeholder's value in the environment is unsafe to put in a template (LH_CONFIG_INVALID). */
export class PlaceholderValueError extends CodedError {
  constructor(
    public readonly placeholder: Placeholder,
    reason: string,
  ) {
    super('LH_CONFIG_INVALID', `${placeholder.env} (for ${placeholder.text}): ${reason}`);
    this.name = 'PlaceholderValueError';
  }
}

export interface ResolvedPlaceholders {
  /** Placeholder text -> value, ready for `substitutePlaceholders`. */
  values: Record<string, string>;
  /** Placeholders with no configured value (left as-is in the template). */
  missing: Placeholder[];
  /** Configured values of secret placeholders, for redaction. */
  secretValues: string[];
}

/**
 * Look up each placeholder's value by its `env` name in `source` (process.env by default).
 * Values are checked so that they cannot inject Liquid or break out of a URL or form body.
 */
export function resolvePlaceholders(
  placeholders: readonly Placeholder[],
  source: Record<string, string | undefined> = process.env,
): ResolvedPlaceholders {
  const values: Record<string, string> = {};
  const missing: Placeholder[] = [];
  const secretValues: string[] = [];
  for (const placeholder of placeholders) {
    const raw = source[placeholder.env];
    if (raw === undefined || raw === '') {
      missing.push(placeholder);
      continue;
    }
    const value = checkValue(placeholder, raw.trim());
    values[placeholder.text] = value;
    if (placeholder.secret) secretValues.push(value);
  }
  return { values, missing, secretValues };
}

function checkValue(placeholder: Placeholder, value: string): string {
  if (/[\r\n]/.test(value)) throw new PlaceholderValueError(placeholder, 'value must be a single line');
  if (/\{\{|\{%|%\}|\}\}/.test(value)) throw new PlaceholderValueError(placeholder, 'value must not contain Liquid delimiters');
  if (placeholder.kind === 'text') {
    if (/[\s&]/.test(value)) throw new PlaceholderValueError(placeholder, 'value must not contain whitespace or "&"');
    return value;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PlaceholderValueError(placeholder, `"${value}" is not a URL such as https://acme.my.salesforce.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PlaceholderValueError(placeholder, 'value must be an http(s) URL');
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new PlaceholderValueError(placeholder, 'value must be an origin only (scheme, host and optional port)');
  }
  return url.origin;
}

/** Replace every placeholder text in every template field; longer texts are replaced first. */
export function substitutePlaceholders(webhook: Webhook, values: Readonly<Record<string, string>>): Webhook {
  const entries = Object.entries(values).sort(([a], [b]) => b.length - a.length);
  if (entries.length === 0) return webhook;
  const sub = (text: string): string => entries.reduce((out, [from, to]) => out.split(from).join(to), text);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(webhook.headers)) headers[name] = sub(value);
  const body: Webhook['body'] =
    webhook.body.type === 'raw'
      ? { type: 'raw', text: sub(webhook.body.text) }
      : { type: 'json_pairs', pairs: webhook.body.pairs.map((p) => ({ key: sub(p.key), value: sub(p.value) })) };
  return { ...webhook, url: sub(webhook.url), headers, body };
}

/** All template text of a webhook, to check that a declared placeholder is used. */
export function webhookTemplateText(webhook: Webhook): string {
  const body =
    webhook.body.type === 'raw' ? webhook.body.text : webhook.body.pairs.map((p) => `${p.key}\n${p.value}`).join('\n');
  return [webhook.url, ...Object.values(webhook.headers), body].join('\n');
}

// Loads the template a command works on: a `.webhook.liquid` file (the whole webhook, with its
// placeholders filled from the environment) or a plain `.liquid` template (rendered as a body).
import { readFile } from 'node:fs/promises';
import { CodedError } from '../errors/index.js';
import {
  PlaceholderValueError,
  WEBHOOK_FILE_SUFFIX,
  parseWebhookFile,
  resolvePlaceholders,
  substitutePlaceholders,
  identityLocator,
  webhookFileLocator,
  type FieldLocator,
} from '../render/index.js';
import type { Placeholder, Webhook, WebhookFile } from '../render/index.js';
import { pathIn, type CliIo } from './io.js';

export interface LoadedTemplate {
  path: string;
  kind: 'webhook' | 'liquid';
  /** The webhook to render; a plain template becomes the raw body of a placeholder request. */
  webhook: Webhook;
  file?: WebhookFile;
  /** Configured values of secret placeholders (redacted from output). */
  secrets: string[];
  /** Placeholders with no value in the environment: left as written. */
  missing: Placeholder[];
  locator: FieldLocator;
}

/** URL of the request a plain template is wrapped in; never sent. */
export const PLAIN_TEMPLATE_URL = 'https://plain-template.invalid/';

export function isWebhookFile(path: string): boolean {
  return path.endsWith(WEBHOOK_FILE_SUFFIX);
}

/** Reads FILE (relative to the command's working directory); errors name it as the user wrote it. */
export async function readTemplateText(path: string, io: Pick<CliIo, 'cwd'>): Promise<string> {
  try {
    return await readFile(pathIn(io, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CodedError('LH_FILE_UNREADABLE', `${path}: cannot read file${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`);
  }
}

/** Parses a template file; placeholders are filled from the command's environment. */
export async function loadTemplate(path: string, io: Pick<CliIo, 'cwd' | 'env'>): Promise<LoadedTemplate> {
  const { env } = io;
  const text = await readTemplateText(path, io);
  if (!isWebhookFile(path)) {
    return {
      path,
      kind: 'liquid',
      webhook: { url: PLAIN_TEMPLATE_URL, method: 'POST', headers: {}, body: { type: 'raw', text } },
      secrets: [],
      missing: [],
      locator: identityLocator,
    };
  }
  // An invalid file is LH_FILE_INVALID, its problems named by line and column.
  const file: WebhookFile = parseWebhookFile(text, path);
  let webhook = file.webhook;
  let secrets: string[];
  let missing: Placeholder[];
  try {
    const resolved = resolvePlaceholders(file.placeholders, env);
    webhook = substitutePlaceholders(file.webhook, resolved.values);
    secrets = resolved.secretValues;
    missing = resolved.missing;
  } catch (error) {
    if (error instanceof PlaceholderValueError) throw new CodedError(error.code, `${path}: placeholder ${error.message}`, { cause: error });
    throw error;
  }
  return { path, kind: 'webhook', webhook, file, secrets, missing, locator: webhookFileLocator(text) };
}

/** One warning line per placeholder that has no value. */
export function missingPlaceholderWarnings(template: LoadedTemplate): string[] {
  const seen = new Set<string>();
  return template.missing.flatMap((p) => {
    if (seen.has(p.env)) return [];
    seen.add(p.env);
    return [`${p.env} is not set: "${p.text}" stays as written`];
  });
}

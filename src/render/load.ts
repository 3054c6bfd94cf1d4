// File-system edge of the template format: read one file or every template in a directory.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CodedError } from '../errors/index.js';
import { WEBHOOK_FILE_SUFFIX, WebhookFileError, parseWebhookFile, type WebhookFile } from './file-format.js';
import { webhookFileLocator } from './file-positions.js';

/** Reads and parses one template file; a template that does not parse is an error at its file position. */
export async function loadWebhookFile(path: string): Promise<WebhookFile> {
  return parseCheckedFile(await readText(path), path);
}

async function parseCheckedFile(text: string, path: string): Promise<WebhookFile> {
  const file = parseWebhookFile(text, path);
  // Imported when a file is loaded: importing this module (the CLI's error types) stays light.
  const { webhookTemplateIssues } = await import('./template-check.js');
  const issues = webhookTemplateIssues(file.webhook);
  if (issues.length > 0) {
    const locator = webhookFileLocator(text);
    throw new WebhookFileError(
      path,
      issues.map((issue) => ({ ...locator.locate(issue.field.ref, issue.line, issue.column), path: issue.field.ref.kind === 'body' ? 'body' : issue.field.path.join('.'), message: issue.message })),
    );
  }
  return file;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WebhookFileError(path, [{ line: 1, column: 1, path: '', message: `cannot read file: ${reason}` }]);
  }
}

/** 1-based line of a top-level front matter key (for errors found after parsing). */
function lineOfKey(text: string, key: string): number {
  const index = text.split(/\r?\n/).findIndex((line) => line.startsWith(`${key}:`));
  return index < 0 ? 1 : index + 1;
}

export class TemplatesDirError extends CodedError {
  constructor(
    public readonly dir: string,
    public readonly errors: WebhookFileError[],
  ) {
    super('LH_FILE_INVALID', `${errors.length} invalid template file(s) in ${dir}:\n${errors.map((e) => e.message).join('\n')}`);
    this.name = 'TemplatesDirError';
  }
}

/**
 * Load every `*.webhook.liquid` file of a directory (not recursive), sorted by file name.
 * All files are checked before failing, so one error report lists every broken file;
 * two files with the same `name` are an error too.
 */
export async function loadTemplatesDir(dir: string): Promise<WebhookFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(WEBHOOK_FILE_SUFFIX)).sort();
  const loaded: WebhookFile[] = [];
  const errors: WebhookFileError[] = [];
  const byName = new Map<string, string>();
  for (const name of names) {
    const path = join(dir, name);
    try {
      const text = await readText(path);
      const file = await parseCheckedFile(text, path);
      const first = byName.get(file.name);
      if (first !== undefined) {
        const message = `name "${file.name}" is already used by ${first}`;
        throw new WebhookFileError(path, [{ line: lineOfKey(text, 'name'), column: 1, path: 'name', message }]);
      }
      byName.set(file.name, path);
      loaded.push(file);
    } catch (error) {
      if (error instanceof WebhookFileError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length > 0) throw new TemplatesDirError(dir, errors);
  return loaded;
}

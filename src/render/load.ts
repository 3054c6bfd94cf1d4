// File-system edge of the template format: read one file or every template in a directory.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WEBHOOK_FILE_SUFFIX, WebhookFileError, parseWebhookFile, type WebhookFile } from './file-format.js';

export async function loadWebhookFile(path: string): Promise<WebhookFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WebhookFileError(path, [{ line: 1, column: 1, path: '', message: `cannot read file: ${reason}` }]);
  }
  return parseWebhookFile(text, path);
}

export class TemplatesDirError extends Error {
  constructor(
    public readonly dir: string,
    public readonly errors: WebhookFileError[],
  ) {
    super(`${errors.length} invalid template file(s) in ${dir}:\n${errors.map((e) => e.message).join('\n')}`);
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
  for (const name of names) {
    try {
      loaded.push(await loadWebhookFile(join(dir, name)));
    } catch (error) {
      if (error instanceof WebhookFileError) errors.push(error);
      else throw error;
    }
  }
  const byName = new Map<string, string>();
  for (const file of loaded) {
    const first = byName.get(file.name);
    if (first !== undefined) {
      errors.push(
        new WebhookFileError(file.source, [{ line: 2, column: 1, path: 'name', message: `name "${file.name}" is already used by ${first}` }]),
      );
    }
    byName.set(file.name, file.source);
  }
  if (errors.length > 0) throw new TemplatesDirError(dir, errors);
  return loaded;
}

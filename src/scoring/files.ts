// Definition files of a templates directory: `<name>.scoring.json|yaml|yml` for scoring programs
// (and the same layout for other definitions, e.g. `<name>.sync.yaml`). The file edge only:
// parsing and validation stay with each definition's zod schema.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CodedError } from '../errors/index.js';

export interface DefinitionFile {
  path: string;
  /** Stable id derived from the file name: `file:<stem>`. */
  id: string;
  content: unknown;
}

export class DefinitionFileError extends CodedError {
  constructor(
    readonly file: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super('LH_FILE_INVALID', `${file}: ${issues.map((i) => `${i.path === '' ? '' : `${i.path}: `}${i.message}`).join('; ')}`, { fields: issues, summary: `invalid file ${file}` });
    this.name = 'DefinitionFileError';
  }
}

const EXTENSIONS = ['.json', '.yaml', '.yml'];

/** `leads.scoring.yaml` with kind `scoring` -> `file:leads`. */
export function definitionIdForFile(path: string, kind: string): string | undefined {
  const name = basename(path);
  for (const ext of EXTENSIONS) {
    const suffix = `.${kind}${ext}`;
    if (name.endsWith(suffix) && name.length > suffix.length) {
      return `file:${name.slice(0, -suffix.length).replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 90)}`;
    }
  }
  return undefined;
}

/** Reads every `*.<kind>.json|yaml|yml` file of `dir` (not recursive), sorted by name. No dir: none. */
export async function readDefinitionFiles(dir: string, kind: string): Promise<DefinitionFile[]> {
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).sort();
  const files: DefinitionFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const id = definitionIdForFile(path, kind);
    if (!id) continue;
    const text = await readFile(path, 'utf8');
    let content: unknown;
    try {
      content = name.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new DefinitionFileError(path, [{ path: '', message: `cannot parse: ${(error as Error).message}` }]);
    }
    files.push({ path, id, content });
  }
  return files;
}

// Content Blocks kept as files: `<templates>/content-blocks/<name>.liquid`, the file name being
// the block name and the file its Liquid (one final newline dropped, as for a webhook body).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CodedError } from '../errors/index.js';
import { CONTENT_BLOCK_NAME } from '../liquid/index.js';
import { MAX_CONTENT_BLOCK_BYTES } from './schema.js';

export const CONTENT_BLOCKS_FOLDER = 'content-blocks';
const SUFFIX = '.liquid';

export interface BlockFile {
  name: string;
  path: string;
  content: string;
}

export interface BlockFileIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

export class ContentBlockFilesError extends CodedError {
  constructor(readonly issues: BlockFileIssue[]) {
    super('LH_FILE_INVALID', `${issues.length} invalid content block file(s):\n${issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n')}`);
    this.name = 'ContentBlockFilesError';
  }
}

/** The blocks folder of a templates directory. */
export function contentBlocksDir(templatesDir: string): string {
  return join(templatesDir, CONTENT_BLOCKS_FOLDER);
}

/** Reads every `*.liquid` of `dir` (none when it does not exist); names and sizes are checked here. */
export async function readBlockFiles(dir: string): Promise<BlockFile[]> {
  if (!existsSync(dir)) return [];
  const names = (await readdir(dir)).filter((n) => n.endsWith(SUFFIX)).sort();
  const files: BlockFile[] = [];
  const issues: BlockFileIssue[] = [];
  for (const fileName of names) {
    const path = join(dir, fileName);
    const name = basename(fileName, SUFFIX);
    const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
    const content = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (!CONTENT_BLOCK_NAME.test(name)) {
      issues.push({ file: path, line: 1, column: 1, message: `"${name}" is not a content block name (1 to 100 letters, digits, - or _)` });
    } else if (Buffer.byteLength(content, 'utf8') > MAX_CONTENT_BLOCK_BYTES) {
      issues.push({ file: path, line: 1, column: 1, message: `content must be at most ${MAX_CONTENT_BLOCK_BYTES / 1024} KB` });
    } else files.push({ name, path, content });
  }
  if (issues.length > 0) throw new ContentBlockFilesError(issues);
  return files;
}

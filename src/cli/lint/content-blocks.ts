// Content Blocks for lint: the blocks next to a linted file (`content-blocks/` beside it, or the
// folder a block file is in), references to blocks that do not exist, and blocks that include
// themselves, each at the offset of the reference.
import { basename, dirname, join } from 'node:path';
import { CONTENT_BLOCKS_FOLDER, ContentBlockFilesError, cycleBack, readBlockFiles } from '../../content-blocks/index.js';
import { contentBlockReferences } from '../../liquid/index.js';

export interface LintBlocks {
  dir: string;
  /** name → content. */
  blocks: Record<string, string>;
  /** The block the linted file is, when it is one. */
  own?: string;
}

export async function blocksNextTo(path: string): Promise<LintBlocks> {
  const inBlocksFolder = basename(dirname(path)) === CONTENT_BLOCKS_FOLDER;
  const dir = inBlocksFolder ? dirname(path) : join(dirname(path), CONTENT_BLOCKS_FOLDER);
  let blocks: Record<string, string> = {};
  try {
    blocks = Object.fromEntries((await readBlockFiles(dir)).map((b) => [b.name, b.content]));
  } catch (error) {
    // A misnamed block file is reported when that file is linted; the others still count.
    if (!(error instanceof ContentBlockFilesError)) throw error;
  }
  return { dir, blocks, ...(inBlocksFolder ? { own: basename(path, '.liquid') } : {}) };
}

/** Missing blocks a template includes and, for a block file, an inclusion that leads back to it. */
export function contentBlockProblems(template: string, lint: LintBlocks): { offset: number; message: string }[] {
  const problems = contentBlockReferences(template)
    .filter((ref) => !Object.hasOwn(lint.blocks, ref.name))
    .map((ref) => ({ offset: ref.offset, message: `content block "${ref.name}" does not exist (no ${join(lint.dir, `${ref.name}.liquid`)})` }));
  if (lint.own !== undefined) {
    const cycle = cycleBack(lint.own, template, (name) => (name === lint.own || !Object.hasOwn(lint.blocks, name) ? undefined : lint.blocks[name]));
    if (cycle) problems.push({ offset: cycle.via.offset, message: `content block "${lint.own}" would include itself (${cycle.chain.join(' → ')})` });
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

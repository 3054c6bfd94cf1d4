// What makes a block unusable, said where it is written: content that does not parse, or an
// inclusion that leads back to the block itself (Braze: "Content Block cannot be referenced
// within itself"). Used by the API, the files loaded at start and `liquidhook lint`.
import { CodedError } from '../errors/index.js';
import { contentBlockReferences, type ContentBlockReference } from '../liquid/index.js';
import { templateError, withPosition } from '../render/index.js';

export interface BlockIssue {
  /** `name`, `description` or `content`. */
  path: string;
  message: string;
  /** Inside the content, 1-based. */
  line?: number;
  column?: number;
}

export type ContentBlockErrorCode = 'LH_CONTENT_BLOCK_INVALID' | 'LH_CONTENT_BLOCK_IN_USE' | 'LH_CONTENT_BLOCK_FROM_FILE';

export class ContentBlockError extends CodedError {
  declare readonly code: ContentBlockErrorCode;

  constructor(
    code: ContentBlockErrorCode,
    message: string,
    readonly issues: BlockIssue[] = [],
  ) {
    super(code, issues.length > 0 ? `${message}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}` : message, { fields: issues, summary: message });
    this.name = 'ContentBlockError';
  }
}

/** Other blocks' content by name (undefined: no such block). */
export type BlockLookup = (name: string) => string | undefined;

/** Problems of block `name` holding `content`, among the blocks `others` finds. */
export function contentIssues(name: string, content: string, others: BlockLookup): BlockIssue[] {
  const error = templateError(content);
  if (error) return [{ path: 'content', message: withPosition({ ...error, message: error.reason }), ...(error.line > 0 ? { line: error.line, column: error.column } : {}) }];
  const cycle = cycleBack(name, content, others);
  if (!cycle) return [];
  const { line, column } = positionIn(content, cycle.via.offset);
  return [{ path: 'content', message: `content block "${name}" would include itself (${cycle.chain.join(' → ')}) (line ${line}, column ${column})`, line, column }];
}

/** An inclusion path from `name`'s content back to `name`, with the reference it starts at. */
export function cycleBack(name: string, content: string, others: BlockLookup): { chain: string[]; via: ContentBlockReference } | undefined {
  const seen = new Set<string>();
  for (const via of contentBlockReferences(content)) {
    const chain = pathTo(name, via.name, others, seen);
    if (chain) return { chain: [name, ...chain], via };
  }
  return undefined;
}

/** Block names from `from` to `target` following inclusions; `seen` holds blocks that lead nowhere. */
function pathTo(target: string, from: string, others: BlockLookup, seen: Set<string>): string[] | undefined {
  if (from === target) return [target];
  if (seen.has(from)) return undefined;
  seen.add(from);
  const text = others(from);
  if (text === undefined) return undefined;
  for (const ref of contentBlockReferences(text)) {
    const rest = pathTo(target, ref.name, others, seen);
    if (rest) return [from, ...rest];
  }
  return undefined;
}

function positionIn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

// Braze's Content Blocks: `{{content_blocks.${name}}}` includes a named, reusable piece of
// Liquid, rendered in the message's own scope (what it assigns, the message sees), as Braze
// expands a block where it is referenced. The dialect rewrite turns the reference into this tag.
// Braze expands two levels (a message's blocks and their blocks); a block deeper than that
// renders nothing. A block that includes itself, directly or not, is an error.
import { Tag, type Context, type Emitter, type Liquid, type Template, type TagToken, type TopLevelToken } from 'liquidjs';
import { missingAttributeWarnings } from '../attributes.js';
import { CONTENT_BLOCK_TAG } from '../dialect/references.js';
import type { RewrittenTemplate } from '../dialect/rewrite.js';
import { LimitError, TemplateError } from '../errors.js';
import { AbortMessage, newRenderState, renderStateOf } from '../render-state.js';
import type { ContentBlockProvider, LiquidhookOptions } from '../types.js';

/** Braze's rule for block names: letters, digits, `-` and `_`, at most 100 characters. */
export const CONTENT_BLOCK_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** Levels of blocks Braze expands: blocks in the message, and blocks in those. */
export const MAX_CONTENT_BLOCK_NESTING = 2;

export interface ParsedBlock {
  templates: Template[];
  rewritten: RewrittenTemplate;
}

export interface ContentBlockRuntime {
  provider?: ContentBlockProvider;
  /** The engine's parse (cached, dialect-aware); throws TemplateError. */
  parse(source: string): ParsedBlock;
  /** Maps an error raised while rendering a block to the block's own line and column. */
  locate(error: unknown, block: ParsedBlock): TemplateError;
}

export function contentBlockProvider(option: LiquidhookOptions['contentBlocks']): ContentBlockProvider | undefined {
  if (option === undefined || typeof option === 'function') return option;
  return (name) => (Object.hasOwn(option, name) ? option[name] : undefined);
}

export function registerContentBlocks(liquid: Liquid, runtime: ContentBlockRuntime): void {
  class ContentBlockTag extends Tag {
    private readonly block: string;

    constructor(token: TagToken, remainTokens: TopLevelToken[], engine: Liquid) {
      super(token, remainTokens, engine);
      this.block = blockName(token.args);
    }

    *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      const state = renderStateOf(ctx) ?? newRenderState();
      const chain = (state.contentBlocks ??= []);
      const name = this.block;
      if (chain.includes(name)) throw new Error(`content block "${name}" includes itself (${[...chain, name].join(' → ')})`);
      if (chain.length >= MAX_CONTENT_BLOCK_NESTING) {
        state.warnings.push(
          `content block "${name}" is nested ${chain.length + 1} levels deep and renders nothing (Braze expands ${MAX_CONTENT_BLOCK_NESTING} levels)`,
        );
        return;
      }
      const provider = state.blockProvider ?? runtime.provider;
      const source = provider ? ((yield provider(name)) as string | undefined) : undefined;
      if (typeof source !== 'string') throw new Error(`content block "${name}" does not exist`);
      let block: ParsedBlock;
      try {
        block = runtime.parse(source);
      } catch (error) {
        throw inBlock(name, error);
      }
      const where = (offset: number) => block.rewritten.map.positionOf(offset);
      for (const warning of missingAttributeWarnings(block.rewritten.attributes, ctx.environments, where)) {
        state.warnings.push(`content block "${name}": ${warning}`);
      }
      chain.push(name);
      try {
        yield this.liquid.renderer.renderTemplates(block.templates, ctx, emitter);
      } catch (error) {
        if (error instanceof AbortMessage || error instanceof LimitError) throw error;
        throw inBlock(name, runtime.locate(error, block));
      } finally {
        chain.pop();
      }
    }
  }
  liquid.registerTag(CONTENT_BLOCK_TAG, ContentBlockTag);
}

/** The block name the rewrite wrote as a JSON string. */
function blockName(args: string): string {
  try {
    const name = JSON.parse(args.trim()) as unknown;
    if (typeof name === 'string') return name;
  } catch {
    // fall through
  }
  throw new Error(`content_blocks: expected a block name, got ${JSON.stringify(args.trim())}`);
}

/** `content block "footer", line 2, column 5: <what>`: placed in the block, said once. */
function inBlock(name: string, error: unknown): Error {
  if (error instanceof LimitError) return error;
  const where = error instanceof TemplateError && error.line > 0 ? `, line ${error.line}, column ${error.column}` : '';
  const reason = error instanceof TemplateError ? error.reason : error instanceof Error ? error.message : String(error);
  return new Error(`content block "${name}"${where}: ${reason}`);
}

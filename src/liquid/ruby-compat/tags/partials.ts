// `include` and `render` as Ruby Liquid parses and runs them (lax markup: `name [with|for expr]
// [as alias]`, then every `key: value` in the markup). include shares the caller's scope, binds
// the value to the alias or the file's last path segment and repeats the partial for an array;
// render gets an isolated context (the caller's data, none of its assigns), iterates with a
// forloop only for `for`, and may not contain include. Partials nest at most 100 deep.
import { Tag, Tokenizer, evalToken, toValue, type Context, type Emitter, type Liquid, type TagToken, type Template, type TopLevelToken, type ValueToken } from 'liquidjs';
import { LIQUID_ERROR_CODES } from '../../errors.js';
import { RubyContext } from '../context.js';
import { RubyRange } from '../to-s.js';
import { RubyForloopDrop } from './for.js';

const QUOTED = `"[^"]*"|'[^']*'`;
const FRAGMENT = `(?:${QUOTED}|(?:[^\\s,|'"]|${QUOTED})+)`;
const INCLUDE_SYNTAX = new RegExp(`(${FRAGMENT}+)(\\s+(with|for)\\s+(${FRAGMENT}+))?(\\s+as\\s+([\\w-]+))?`);
const RENDER_SYNTAX = new RegExp(`(${QUOTED})(\\s+(with|for)\\s+(${FRAGMENT}+))?(\\s+as\\s+([\\w-]+))?`);
const ATTRIBUTE = new RegExp(`(\\w[\\w-]*)\\s*:\\s*(${FRAGMENT})`, 'g');
const MAX_DEPTH = 100;

export class FileNestingError extends Error {
  constructor() {
    super('Nesting too deep');
    this.name = 'StackLevelError';
  }

  get code(): typeof LIQUID_ERROR_CODES.limit {
    return LIQUID_ERROR_CODES.limit;
  }
}

/** An error from inside a partial, named after the partial and its line, as Ruby reports it. */
export class PartialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartialError';
  }

  get code(): typeof LIQUID_ERROR_CODES.render {
    return LIQUID_ERROR_CODES.render;
  }
}

const POSITION = /(, file:[^,]*)?, line:(\d+), col:\d+$/;

function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e && chain.length < 20 && !chain.includes(e); ) {
    chain.push(e);
    e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
  }
  return chain;
}

/** Ruby's words for a tag or output left without its closing delimiter. */
function rubyParseMessage(message: string): string {
  if (/^tag "\{%[^]*" not closed$/.test(message)) return "Tag '{%' was not properly terminated with regexp: /%}/";
  if (/^output "\{\{[^]*" not closed$/.test(message)) return "Variable '{{' was not properly terminated with regexp: /}}/";
  return message;
}

/**
 * Names the partial an error came from ("snippet line 3: divided by 0"). Errors that already
 * name a partial, nesting errors and anything that is not a plain template error (aborts,
 * limits) pass through untouched.
 */
function fromPartial(error: unknown, name: string): unknown {
  const chain = errorChain(error);
  const root = chain.at(-1);
  if (!(root instanceof Error) || root instanceof PartialError || root instanceof FileNestingError) return error;
  if (root.constructor !== Error && root.name !== 'ParseError' && root.name !== 'TokenizationError') return error;
  const located = chain.find((e): e is Error & { token?: { file?: string; getPosition(): number[] } } => {
    const token = (e as { token?: { file?: string } }).token;
    return token?.file === name;
  });
  const line = located?.token?.getPosition()[0] ?? POSITION.exec(root.message)?.[2];
  const message = rubyParseMessage(root.message.replace(POSITION, ''));
  return new PartialError(line ? `${name} line ${line}: ${message}` : `${name}: ${message}`);
}

interface Markup {
  name: ValueToken;
  mode?: 'with' | 'for';
  value?: ValueToken;
  alias?: string;
  attributes: [string, ValueToken][];
}

function expression(liquid: Liquid, text: string): ValueToken {
  const value = new Tokenizer(text, liquid.options.operators).readValue();
  if (!value) throw new Error(`invalid expression "${text}"`);
  return value;
}

function parseMarkup(liquid: Liquid, tag: string, markup: string, syntax: RegExp): Markup {
  const match = syntax.exec(markup);
  if (!match) {
    throw new Error(tag === 'render' ? "Syntax error in tag 'render' - Template name must be a quoted string" : `Syntax error in tag '${tag}'`);
  }
  const attributes: [string, ValueToken][] = [];
  for (const [, key, value] of markup.matchAll(ATTRIBUTE)) attributes.push([key!, expression(liquid, value!)]);
  return {
    name: expression(liquid, match[1]!),
    mode: match[3] as Markup['mode'],
    value: match[4] ? expression(liquid, match[4]) : undefined,
    alias: match[6],
    attributes,
  };
}

/** Depth bookkeeping: RubyContext carries it; a plain liquidjs Context keeps it in a register. */
function enter(ctx: Context): number {
  const depth = (ctx instanceof RubyContext ? ctx.partialDepth : ctx.getRegister('ruby-partial-depth', 0)) + 1;
  if (depth >= MAX_DEPTH) throw new FileNestingError();
  return depth;
}

function setDepth(ctx: Context, depth: number): void {
  if (ctx instanceof RubyContext) ctx.partialDepth = depth;
  else ctx.setRegister('ruby-partial-depth', depth);
}

const iterable = (v: unknown): unknown[] | undefined => {
  if (v instanceof RubyRange) return v.valueOf();
  const value = toValue(v);
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.entries(value);
  return undefined;
};

abstract class PartialTag extends Tag {
  protected readonly markup: Markup;
  protected readonly currentFile?: string;

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, syntax: RegExp) {
    super(token, remainTokens, liquid);
    this.markup = parseMarkup(liquid, token.name, token.args, syntax);
    this.currentFile = token.file;
  }

  protected *load(ctx: Context, name: string): Generator<unknown, Template[], unknown> {
    const parse = (this.liquid as unknown as { _parsePartialFile(file: string, sync: boolean, current?: string): unknown })._parsePartialFile;
    try {
      return (yield parse.call(this.liquid, name, ctx.sync, this.currentFile)) as Template[];
    } catch (error) {
      // Ruby's FileSystemError; templates here never have files to include.
      if ((error as { code?: string }).code === 'ENOENT') throw new Error(`Could not find asset ${name}: partials are not available (templates cannot include files)`);
      throw fromPartial(error, name);
    }
  }

  protected *renderPartial(name: string, templates: Template[], ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    try {
      yield this.liquid.renderer.renderTemplates(templates, ctx, emitter);
    } catch (error) {
      throw fromPartial(error, name);
    }
  }
}

export class RubyIncludeTag extends PartialTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid, INCLUDE_SYNTAX);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const { markup } = this;
    const name = toValue(yield evalToken(markup.name, ctx));
    if (typeof name !== 'string') throw new Error("Argument error in tag 'include' - Illegal template name");
    if (ctx instanceof RubyContext && ctx.inRender) throw new Error('include usage is not allowed in this context');
    const depth = enter(ctx);
    const templates = yield* this.load(ctx, name);
    const variableName = markup.alias ?? name.split('/').at(-1)!;
    const variable = markup.value ? yield evalToken(markup.value, ctx) : yield ctx._get([name]);
    const scope: Record<string, unknown> = Object.create(null);
    ctx.push(scope);
    setDepth(ctx, depth);
    try {
      for (const [key, value] of markup.attributes) scope[key] = yield evalToken(value, ctx);
      const value = toValue(variable);
      for (const item of Array.isArray(value) ? value : [variable]) {
        scope[variableName] = item;
        yield* this.renderPartial(name, templates, ctx, emitter);
        if (ctx.breakCalled) break;
      }
    } finally {
      setDepth(ctx, depth - 1);
      ctx.pop();
    }
  }
}

export class RubyRenderTag extends PartialTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid, RENDER_SYNTAX);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const { markup } = this;
    const name = String(toValue(yield evalToken(markup.name, ctx)));
    const depth = enter(ctx);
    const templates = yield* this.load(ctx, name);
    const variableName = markup.alias ?? name.split('/').at(-1)!;
    const variable = markup.value ? yield evalToken(markup.value, ctx) : undefined;
    const items = markup.mode === 'for' ? iterable(variable) : undefined;
    const forloop = items ? new RubyForloopDrop(name, items.length, undefined) : undefined;
    for (const item of items ?? [variable]) {
      const inner = ctx instanceof RubyContext ? ctx.isolated() : ctx.spawn();
      const scope = inner.bottom();
      if (forloop) scope.forloop = forloop;
      for (const [key, value] of markup.attributes) scope[key] = yield evalToken(value, ctx);
      if (item !== undefined && item !== null) scope[variableName] = item;
      if (inner instanceof RubyContext) inner.inRender = true;
      setDepth(inner, depth);
      yield* this.renderPartial(name, templates, inner, emitter);
      if (forloop) forloop.index0++;
    }
  }
}

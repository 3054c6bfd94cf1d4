// Resource limits for running untrusted templates in a shared service: every render ends
// with output or a LimitError, never with a hung or exhausted process.
import { toValue, type Context, type Emitter, type FilterImplOptions, type Liquid, type Parser, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { LimitError, type LimitName } from './errors.js';
import { renderStateOf } from './render-state.js';
import { findExcessNesting } from './dialect/nesting.js';
import type { RewrittenTemplate } from './dialect/rewrite.js';
import type { RenderLimits } from './types.js';

type TagClass = Liquid['tags'][string];

export type ResolvedLimits = Required<RenderLimits>;

export const DEFAULT_LIMITS: Readonly<ResolvedLimits> = Object.freeze({
  templateBytes: 64 * 1024,
  // Wall time, so it includes connected_content calls (2 s timeout each by default).
  renderTimeMs: 5_000,
  outputBytes: 1024 * 1024,
  memoryUnits: 10_000_000,
  loopIterations: 100_000,
  // liquidjs parses nested blocks recursively; its call stack runs out near 2,000 levels.
  nestingDepth: 100,
});

export function resolveLimits(limits: RenderLimits = {}): ResolvedLimits {
  const resolved = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ResolvedLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new RangeError(`limits.${key} must be a positive number, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

export function checkTemplateSize(template: string, limits: ResolvedLimits): void {
  const bytes = Buffer.byteLength(template, 'utf8');
  if (bytes > limits.templateBytes) {
    throw new LimitError('templateBytes', `template is ${bytes} bytes, over the ${limits.templateBytes}-byte limit`);
  }
}

/** Rejects nesting that liquidjs could only parse by exhausting the call stack. */
export function checkNesting(rewritten: RewrittenTemplate, limits: ResolvedLimits): void {
  const excess = findExcessNesting(rewritten.source, limits.nestingDepth);
  if (!excess) return;
  const { line, column } = rewritten.map.originalPositionOf(excess.offset);
  const message =
    excess.kind === 'block'
      ? `nesting deeper than ${limits.nestingDepth} blocks`
      : `expression nesting deeper than ${limits.nestingDepth} levels`;
  throw new LimitError('nestingDepth', message, line, column);
}

/** A RangeError from V8 when recursion ran out of stack (deep expressions, filters, data). */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && error.message.includes('Maximum call stack size exceeded');
}

/** What a stack overflow is reported as: V8's own message says nothing about the template. */
export function stackOverflowError(phase: 'parse' | 'render', line = 0, column = 0): LimitError {
  const message =
    phase === 'parse'
      ? 'template nests too deeply to parse (call stack exhausted)'
      : 'render exhausted the call stack (deeply nested data or expressions)';
  return new LimitError('nestingDepth', message, line, column);
}

export function checkOutputSize(output: string, limits: ResolvedLimits): void {
  const bytes = Buffer.byteLength(output, 'utf8');
  if (bytes > limits.outputBytes) {
    throw new LimitError('outputBytes', `output is ${bytes} bytes, over the ${limits.outputBytes}-byte limit`);
  }
}

/** liquidjs raises plain errors from its limiters; name the limit they stand for. */
export function limitOfLiquidMessage(message: string): LimitName | undefined {
  if (message.startsWith('template render limit exceeded')) return 'renderTimeMs';
  if (message.startsWith('memory alloc limit exceeded')) return 'memoryUnits';
  if (message.startsWith('parse length limit exceeded')) return 'parseLength';
  return undefined;
}

export function describeLimit(limit: LimitName, limits: ResolvedLimits): string {
  switch (limit) {
    case 'renderTimeMs':
      return `render took longer than ${limits.renderTimeMs} ms`;
    case 'memoryUnits':
      return `render allocated more than ${limits.memoryUnits} memory units (strings built, output, arrays, ranges)`;
    case 'parseLength':
      return `template is too long to parse`;
    default:
      return `${limit} limit exceeded`;
  }
}

/**
 * Wraps a loop tag (`for`, `tablerow`) so every iteration is counted in the render state; the
 * count is shared by all loops of one render, nested or not.
 */
export function countingLoopTag(Base: TagClass, maxIterations: number): TagClass {
  const Concrete = Base as unknown as new (
    token: TagToken,
    remainTokens: TopLevelToken[],
    liquid: Liquid,
    parser: Parser,
  ) => Template;
  const counting = class CountingLoop extends Concrete {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
      super(token, remainTokens, liquid, parser);
      const self = this as unknown as { templates?: Template[] };
      if (Array.isArray(self.templates)) self.templates.unshift(iterationCounter(token, maxIterations));
    }

    override *children(...args: unknown[]): Generator<unknown, Template[], unknown> {
      const base = (Base.prototype as unknown as { children?: (...a: unknown[]) => Generator<unknown, Template[], unknown> })
        .children;
      const all = base ? ((yield* base.apply(this, args)) as Template[]) : [];
      return all.filter((t) => !(t as Partial<IterationCounter>).isIterationCounter);
    }
  };
  return counting as unknown as TagClass;
}

interface IterationCounter extends Template {
  isIterationCounter: true;
}

function iterationCounter(token: TagToken, maxIterations: number): IterationCounter {
  return {
    token,
    isIterationCounter: true,
    render(ctx: Context, _emitter: Emitter): void {
      const state = renderStateOf(ctx);
      if (!state) return;
      state.loopIterations++;
      if (state.loopIterations > maxIterations) {
        throw new LimitError('loopIterations', `loops ran more than ${maxIterations} iterations`);
      }
    },
  } as unknown as IterationCounter;
}

export function registerLoopLimits(liquid: Liquid, maxIterations: number): void {
  for (const name of ['for', 'tablerow']) {
    const Base = liquid.tags[name];
    if (Base) liquid.registerTag(name, countingLoopTag(Base, maxIterations));
  }
}

/**
 * Every string a template builds is charged to the render's memory budget (liquidjs's
 * memoryLimit, `memoryUnits`): text written to an output (the render's own, a `capture`'s, a
 * partial's) and each string a filter returns. liquidjs charges only some of its own filters, so
 * without this `capture` doubling in a loop, or a growing filter such as `base64_encode` in an
 * `assign` loop, built strings of hundreds of megabytes. Exceeding the budget is a LimitError at
 * the output or tag that built the string.
 */
export function registerStringBudget(liquid: Liquid): void {
  chargeOutputs(liquid);
  chargeFilterResults(liquid);
}

function chargeOutputs(liquid: Liquid): void {
  const renderer = liquid.renderer as { renderTemplates: (templates: Template[], ctx: Context, emitter?: Emitter) => unknown };
  const renderTemplates = renderer.renderTemplates.bind(renderer);
  // A call without an emitter starts a new output (the render itself, `capture`, partials);
  // calls with one write into an output already counted.
  renderer.renderTemplates = (templates, ctx, emitter) =>
    renderTemplates(templates, ctx, emitter ?? (ctx.opts.keepOutputType ? undefined : chargingEmitter(ctx)));
}

/** liquidjs's SimpleEmitter, charging each write before the text is appended. */
function chargingEmitter(ctx: Context): Emitter {
  return {
    buffer: '',
    write(html: unknown): void {
      const text = typeof html === 'string' ? html : outputText(html);
      ctx.memoryLimit.use(text.length);
      this.buffer += text;
    },
  };
}

/** What liquidjs's emitter writes for a value (its `stringify`). */
function outputText(value: unknown): string {
  const v = toValue(value) as unknown;
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(outputText).join('');
  return String(v);
}

function chargeFilterResults(liquid: Liquid): void {
  const filters = liquid.filters as Record<string, FilterImplOptions>;
  for (const [name, impl] of Object.entries(filters)) {
    const handler = (typeof impl === 'function' ? impl : impl.handler) as (...a: unknown[]) => unknown;
    const charged = function (this: { context: Context }): unknown {
      // `arguments` rather than a rest parameter: filters run on every output, keep this cheap.
      const result = handler.apply(this, arguments as unknown as unknown[]);
      if (typeof result === 'string') this.context.memoryLimit.use(result.length);
      else if (result instanceof Promise) return result.then((value: unknown) => chargeString(this.context, value));
      return result;
    };
    filters[name] = typeof impl === 'function' ? (charged as FilterImplOptions) : { ...impl, handler: charged as never };
  }
}

function chargeString(ctx: Context, value: unknown): unknown {
  if (typeof value === 'string') ctx.memoryLimit.use(value.length);
  return value;
}

// The Braze-dialect Liquid engine: liquidjs configured like Shopify's Ruby Liquid, plus Braze's
// `${...}` syntax, nested braces, abort_message, connected_content and filters, with limits.
import { Liquid, type Template } from 'liquidjs';
import { missingAttributeWarnings } from './attributes.js';
import { registerConnectedContent } from './connected-content/index.js';
import { rewriteBrazeSyntax, type RewrittenTemplate } from './dialect/rewrite.js';
import { drive } from './dialect/drive.js';
import { toTemplateError, findAbort } from './dialect/error-mapping.js';
import { LimitError, TemplateError } from './errors.js';
import { registerBrazeFilters } from './filters/index.js';
import {
  checkNesting,
  checkOutputSize,
  checkTemplateSize,
  isStackOverflow,
  registerLoopLimits,
  registerStringBudget,
  resolveLimits,
  stackOverflowError,
  type ResolvedLimits,
} from './limits.js';
import { AbortMessage, newRenderState } from './render-state.js';
import { BrazeContext } from './dialect/braze-context.js';
import { registerRubyCompat } from './ruby-compat/index.js';
import { registerAbortMessage } from './tags/abort-message.js';
import { messageExtrasRecord, registerMessageExtras } from './tags/message-extras.js';
import { contentBlockProvider, registerContentBlocks } from './tags/content-block.js';
import { LruCache } from './dialect/lru.js';
import { watchUnknownFilters } from './dialect/unknown-filters.js';
import type { ContentBlockProvider, LiquidhookOptions, RenderOptions, RenderResult } from './types.js';

/** A template rewritten to standard Liquid and parsed by liquidjs. */
export interface ParsedTemplate {
  /** The template as written. */
  readonly source: string;
  readonly rewritten: RewrittenTemplate;
  readonly templates: Template[];
  /** Problems found while parsing that do not stop rendering (e.g. unknown filters). */
  readonly warnings: readonly string[];
}

export interface LiquidhookEngine {
  render(template: string, context: object, options?: RenderOptions): Promise<RenderResult>;
  /** Parse (or fetch from the cache); throws TemplateError with original line/column. */
  parse(template: string): ParsedTemplate;
  /** The underlying liquidjs instance (tests and tools). */
  readonly liquid: Liquid;
  readonly limits: Readonly<ResolvedLimits>;
  /** Number of parses actually performed (cache misses). */
  readonly parseCount: number;
  /** Where `{{content_blocks.${name}}}` finds its blocks (engines made for previews reuse it). */
  readonly contentBlocks?: ContentBlockProvider;
}

export const DEFAULT_TEMPLATE_CACHE_SIZE = 500;

export function createLiquid(options: LiquidhookOptions = {}): LiquidhookEngine {
  const limits = resolveLimits(options.limits);
  const liquid = new Liquid({
    // Ruby semantics: only nil and false are falsy; missing variables render blank.
    jsTruthy: false,
    strictVariables: false,
    // Ruby's default (lax) mode passes unknown filters through; they are reported as warnings.
    strictFilters: false,
    ownPropertyOnly: true,
    dynamicPartials: true,
    greedy: true,
    // No file system: `include`/`render`/`layout` cannot read the server's files.
    templates: {},
    relativeReference: false,
    cache: false,
    timezoneOffset: 0,
    parseLimit: limits.templateBytes * 4,
    renderLimit: limits.renderTimeMs,
    memoryLimit: limits.memoryUnits,
  });
  const unknownFilters = watchUnknownFilters(liquid);
  registerBrazeFilters(liquid, { now: options.now });
  registerRubyCompat(liquid, { inlineErrors: options.inlineErrors });
  registerConnectedContent(liquid, options.connectedContent);
  registerAbortMessage(liquid);
  registerMessageExtras(liquid);
  const contentBlocks = contentBlockProvider(options.contentBlocks);
  registerContentBlocks(liquid, {
    ...(contentBlocks ? { provider: contentBlocks } : {}),
    parse: (source) => parse(source),
    locate: (error, block) => toTemplateError(error, block.rewritten.map, block.rewritten.source, limits, 'render'),
  });
  registerLoopLimits(liquid, limits.loopIterations);
  // After every filter is registered: it charges what each filter returns.
  registerStringBudget(liquid);

  const cache = new LruCache<string, ParsedTemplate>(options.templateCacheSize ?? DEFAULT_TEMPLATE_CACHE_SIZE);
  let parseCount = 0;

  function parse(template: string): ParsedTemplate {
    if (typeof template !== 'string') throw new TypeError('template must be a string');
    // A cached template passed the size check when it was parsed (the limits are the engine's).
    const cached = cache.get(template);
    if (cached) return cached;
    checkTemplateSize(template, limits);
    const rewritten = rewriteWithLimits(template, limits);
    const problem = rewritten.problems[0];
    if (problem) {
      const { line, column } = rewritten.map.positionOf(problem.offset);
      throw new TemplateError(problem.message, line, column, 'parse');
    }
    // Before liquidjs recurses into the blocks; the result is cached with the parsed template.
    checkNesting(rewritten, limits);
    let templates: Template[];
    const found = unknownFilters.collect(() => {
      try {
        templates = liquid.parse(rewritten.source);
      } catch (error) {
        throw toTemplateError(error, rewritten.map, rewritten.source, limits, 'parse');
      }
    });
    parseCount++;
    const warnings = [...found].map((name) => `unknown filter "${name}" passes its input through unchanged`);
    const parsed: ParsedTemplate = { source: template, rewritten, templates: templates!, warnings };
    cache.set(template, parsed);
    return parsed;
  }

  async function render(template: string, context: object, options: RenderOptions = {}): Promise<RenderResult> {
    const parsed = parse(template);
    const state = newRenderState();
    const blocks = contentBlockProvider(options.contentBlocks);
    if (blocks) state.blockProvider = blocks;
    const { source, map } = parsed.rewritten;
    state.positionOf = (input, offset) => (input === source ? map.originalPositionOf(offset) : undefined);
    // A copy: `increment`/`decrement` write to the environment, never to the caller's object.
    const ctx = new BrazeContext({ ...(context ?? {}) }, liquid, state);
    const missing = missingAttributeWarnings(parsed.rewritten.attributes, context ?? {}, (o) => parsed.rewritten.map.positionOf(o));
    const finish = (extra: Partial<RenderResult>): RenderResult => {
      const warnings =
        parsed.warnings.length + missing.length + state.warnings.length === 0 ? [] : [...parsed.warnings, ...missing, ...state.warnings];
      const result: RenderResult = {
        output: '',
        connectedContent: state.calls,
        warnings,
        // An aborted message is not sent: it has no send to annotate.
        messageExtras: extra.aborted ? {} : messageExtrasRecord(state.messageExtras),
        ...extra,
      };
      // Non-enumerable: readable by callers that redact, never serialised with the result.
      Object.defineProperty(result, 'secrets', { value: state.secrets ? [...state.secrets] : [], enumerable: false });
      return result;
    };
    const aborted = (abort: AbortMessage): RenderResult =>
      finish({ aborted: { reason: abort.reason, ...(abort.failure ? { failure: abort.failure } : {}) } });
    try {
      const run = drive(liquid._render(parsed.templates, ctx, { sync: false }));
      // Only a render that awaited something can be stuck; a synchronous one already finished.
      const output = (run instanceof Promise ? await withDeadline(run, limits.renderTimeMs) : run) as string | AbortMessage;
      if (output instanceof AbortMessage) return aborted(output);
      checkOutputSize(output, limits);
      return finish({ output });
    } catch (error) {
      const abort = error instanceof AbortMessage ? error : findAbort(error);
      if (abort) return aborted(abort);
      const failure = toTemplateError(error, parsed.rewritten.map, parsed.rewritten.source, limits, 'render');
      const { connectedContent, warnings: all } = finish({});
      failure.partial = { connectedContent, warnings: all };
      throw failure;
    }
  }

  return {
    render,
    parse,
    liquid,
    limits,
    ...(contentBlocks ? { contentBlocks } : {}),
    get parseCount() {
      return parseCount;
    },
  };
}

function rewriteWithLimits(template: string, limits: ResolvedLimits): RewrittenTemplate {
  try {
    return rewriteBrazeSyntax(template, limits.nestingDepth);
  } catch (error) {
    if (isStackOverflow(error)) throw stackOverflowError('parse');
    throw error;
  }
}

/**
 * liquidjs checks its render limit between templates; a render stuck awaiting something still
 * ends here (with a grace period so liquidjs's own, better-placed error wins when it can).
 */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new LimitError('renderTimeMs', `render took longer than ${ms} ms`)),
      ms + Math.min(1000, ms),
    );
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

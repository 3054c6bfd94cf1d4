// Turns liquidjs errors (positions in the rewritten source) into TemplateErrors positioned in the
// template as written, and finds abort_message signals wrapped inside liquidjs RenderErrors.
import { LiquidError } from 'liquidjs';
import { LimitError, TemplateError, type TemplateErrorKind } from '../errors.js';
import { describeLimit, isStackOverflow, limitOfLiquidMessage, stackOverflowError, type ResolvedLimits } from '../limits.js';
import { AbortMessage } from '../render-state.js';
import { authorParseMessage, type Span } from './author-messages.js';
import type { SourceMap } from './source-map.js';

interface LiquidErrorShape extends Error {
  token?: { input?: string; begin?: number; end?: number };
  originalError?: unknown;
}

const POSITION_SUFFIX = /(, file:[^,]*)?, line:\d+, col:\d+$/;

/** The chain of wrapped errors, outermost first (liquidjs `originalError`, standard `cause`). */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 20 && !chain.includes(current)) {
    chain.push(current);
    const e = current as LiquidErrorShape & { cause?: unknown };
    current = e.originalError ?? e.cause;
  }
  return chain;
}

export function findAbort(error: unknown): AbortMessage | undefined {
  return errorChain(error).find((e): e is AbortMessage => e instanceof AbortMessage);
}

export function toTemplateError(
  error: unknown,
  map: SourceMap,
  generatedSource: string,
  limits: ResolvedLimits,
  fallbackKind: TemplateErrorKind,
): TemplateError {
  const chain = errorChain(error);
  const liquidErrors = chain.filter((e): e is LiquidErrorShape => LiquidError.is(e));
  const root = chain[chain.length - 1];
  // The deepest liquidjs error that points into this template (not into a nested template).
  const located = [...liquidErrors].reverse().find((e) => e.token?.input === generatedSource && e.token.begin !== undefined);
  const { line, column } = located ? map.originalPositionOf(located.token!.begin!) : { line: 0, column: 0 };
  // The outermost one is the whole tag or output: what the message quotes.
  const outer = liquidErrors.find((e) => e.token?.input === generatedSource && e.token.begin !== undefined);
  const span = outer ? originalSpan(map, outer.token!.begin!, outer.token!.end ?? outer.token!.begin! + 1) : undefined;

  if (root instanceof LimitError) return line ? root.at(line, column) : root;
  if (root instanceof TemplateError) return root;
  if (isStackOverflow(root)) return stackOverflowError(fallbackKind === 'render' ? 'render' : 'parse', line, column);
  const message = messageOf(root);
  const limit = limitOfLiquidMessage(message);
  if (limit) return new LimitError(limit, describeLimit(limit, limits), line, column);
  const kind = liquidErrors.some((e) => e.name === 'RenderError')
    ? 'render'
    : liquidErrors.some((e) => e.name === 'ParseError' || e.name === 'TokenizationError')
      ? 'parse'
      : fallbackKind;
  const text = kind === 'parse' ? authorParseMessage(message, map.original, span) : message;
  return new TemplateError(text, line, column, kind, { cause: error });
}

/** The original text behind the generated span [begin, end). */
function originalSpan(map: SourceMap, begin: number, end: number): Span {
  const start = map.toOriginalOffset(begin);
  return { start, end: Math.max(start + 1, map.toOriginalOffset(Math.max(begin, end - 1)) + 1) };
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message.replace(POSITION_SUFFIX, '') : String(error);
  const partial = /^ENOENT: Failed to lookup "([^"]*)"/.exec(message);
  // Templates have no file system: say so instead of leaking the server's lookup paths.
  if (partial) return `partial "${partial[1]}" is not available (templates cannot include files)`;
  return message;
}

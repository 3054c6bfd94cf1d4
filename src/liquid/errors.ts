import type { CallRecord } from './types.js';

// Errors raised by the Braze-dialect Liquid engine. Positions always refer to the template text
// as the user wrote it (before `${...}` and nested-brace rewriting), 1-based.

export type TemplateErrorKind = 'parse' | 'render' | 'limit';

/**
 * Stable codes of the engine's errors. The service's error catalogue (src/errors) lists each with
 * its HTTP status; the engine carries them as plain strings so it depends on nothing of the service.
 */
export const LIQUID_ERROR_CODES = {
  parse: 'LH_TEMPLATE_INVALID',
  render: 'LH_RENDER_FAILED',
  limit: 'LH_LIMIT_EXCEEDED',
  abort: 'LH_RENDER_ABORTED',
  connectedContent: 'LH_CONNECTED_CONTENT_FAILED',
} as const;

export type LiquidErrorCode = (typeof LIQUID_ERROR_CODES)[keyof typeof LIQUID_ERROR_CODES];

export class TemplateError extends Error {
  constructor(
    message: string,
    /** 1-based line in the original template, 0 when unknown. */
    public readonly line: number = 0,
    /** 1-based column in the original template, 0 when unknown. */
    public readonly column: number = 0,
    public readonly kind: TemplateErrorKind = 'parse',
    options?: { cause?: unknown },
  ) {
    super(line > 0 ? `${message} (line ${line}, column ${column})` : message, options);
    this.name = 'TemplateError';
    this.reason = message;
  }

  /** The message without the position suffix. */
  readonly reason: string;

  get code(): LiquidErrorCode {
    return LIQUID_ERROR_CODES[this.kind];
  }

  /** For render errors: what the render did before failing (connected_content calls, warnings). */
  partial?: { connectedContent: CallRecord[]; warnings: string[] };
}

export type LimitName =
  | 'templateBytes'
  | 'renderTimeMs'
  | 'outputBytes'
  | 'memoryUnits'
  | 'loopIterations'
  | 'parseLength'
  | 'nestingDepth';

/** A render or parse stopped because it exceeded one of the configured limits. */
export class LimitError extends TemplateError {
  constructor(
    public readonly limit: LimitName,
    message: string,
    line = 0,
    column = 0,
  ) {
    super(message, line, column, 'limit');
    this.name = 'LimitError';
  }

  /** Same limit and message, placed at a position of the original template. */
  at(line: number, column: number): LimitError {
    return new LimitError(this.limit, this.reason, line, column);
  }
}

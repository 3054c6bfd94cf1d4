import type { CallRecord } from './types.js';

// Errors raised by the Braze-dialect Liquid engine. Positions always refer to the template text
// as the user wrote it (before `${...}` and nested-brace rewriting), 1-based.

export type TemplateErrorKind = 'parse' | 'render' | 'limit';

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

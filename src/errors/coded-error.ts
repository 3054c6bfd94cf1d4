// The error every stage throws for a problem it reports on purpose: a catalogued code, a message
// for people, and where it helps the field paths the API lists under `errors`. The HTTP error
// handler and the CLI read any error by its code (codedErrorOf), so the Liquid engine's errors,
// which carry a code without importing this module, are read the same way.
import { ERROR_CATALOGUE, isErrorCode, type ErrorCode } from './catalogue.js';

/** One problem, by where it is: `attributes[0]["lead score"]`, and inside a template its line and column. */
export interface FieldProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export interface CodedErrorOptions {
  /** One entry per problem: the API response's `errors`. */
  fields?: readonly FieldProblem[];
  /** The API response's message when the error's own message lists every field (`invalid campaign`). */
  summary?: string;
  /** For a 503: how long a client should wait before trying again (the Retry-After header). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class CodedError extends Error {
  readonly code: ErrorCode;
  readonly fields: readonly FieldProblem[];
  readonly retryAfterSeconds?: number;
  private readonly summaryText?: string;

  constructor(code: ErrorCode, message: string = ERROR_CATALOGUE[code].message, options: CodedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodedError';
    this.code = code;
    this.fields = options.fields ?? [];
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.summary !== undefined) this.summaryText = options.summary;
  }

  /** The message without the list of fields (those are in `fields`). */
  get summary(): string {
    return this.summaryText ?? this.message;
  }
}

/** What the HTTP handler and the CLI need of a coded error. */
export interface CodedErrorView {
  code: ErrorCode;
  message: string;
  summary: string;
  fields: readonly FieldProblem[];
  retryAfterSeconds?: number;
}

/** The coded form of `error` when its `code` is in the catalogue; undefined for anything else. */
export function codedErrorOf(error: unknown): CodedErrorView | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; message?: unknown; summary?: unknown; fields?: unknown; retryAfterSeconds?: unknown };
  if (!isErrorCode(e.code)) return undefined;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : ERROR_CATALOGUE[e.code].message;
  return {
    code: e.code,
    message,
    summary: typeof e.summary === 'string' ? e.summary : message,
    fields: Array.isArray(e.fields) ? (e.fields as FieldProblem[]) : [],
    ...(typeof e.retryAfterSeconds === 'number' ? { retryAfterSeconds: e.retryAfterSeconds } : {}),
  };
}

/** True when `error` carries `code`. */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return codedErrorOf(error)?.code === code;
}

export const notFound = (what: string): CodedError => new CodedError('LH_NOT_FOUND', `${what} not found`);

/** The same error told from where it was met (`cannot replay delivery d3: …`); code and fields kept. */
export function inContext(error: CodedErrorView, context: string, cause?: unknown): CodedError {
  return new CodedError(error.code, `${context}: ${error.message}`, {
    fields: error.fields,
    summary: `${context}: ${error.summary}`,
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

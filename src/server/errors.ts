// One error handler for every route. A coded error (src/errors) answers with the status its code
// has in the catalogue and one body shape, `{ code, message, errors: [{ path, message }] }`.
// Client mistakes fastify itself finds (a content type it cannot read, a body too large, a rate
// limit) get a code of the catalogue too; anything else is a 500 whose details stay in the log.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { formatPath } from '../domain/index.js';
import { CodedError, ERROR_CATALOGUE, codedErrorOf, statusOf, type CodedErrorView, type ErrorCode, type FieldProblem } from '../errors/index.js';
import { isStoreUnavailable } from '../store/index.js';

export type FieldError = FieldProblem;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  errors?: FieldError[];
}

/** The API's error body; `errors` only when there is at least one. */
export function errorBody(code: ErrorCode, message: string = ERROR_CATALOGUE[code].message, errors: readonly FieldError[] = []): ErrorBody {
  return errors.length > 0 ? { code, message, errors: errors.map(fieldError) } : { code, message };
}

/** What a 503 asks a client to wait while the database is out of reach. */
export const RETRY_AFTER_SECONDS = 2;

/** Field paths read like code: `attributes[0].external_id`, `headers["Content-Type"]`. */
export function fieldErrorsFromZod(error: z.ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: issue.message }));
}

export function invalid(error: z.ZodError, message = 'invalid request', prefix: (string | number)[] = []): CodedError {
  return new CodedError('LH_INVALID_REQUEST', message, { fields: fieldErrorsFromZod(error, prefix) });
}

/** 415's message: what was sent instead of JSON, and what to send. */
export function unsupportedContentType(contentType: string | undefined): string {
  const type = contentType?.split(';')[0]!.trim();
  const hint = 'send Content-Type: application/json';
  return type ? `unsupported content type ${type}; ${hint}` : `a request body needs a content type; ${hint}`;
}

/** Fastify's own client errors (and its plugins'), by the status fastify gives them. */
const FASTIFY_CLIENT_ERRORS: Readonly<Record<number, ErrorCode>> = {
  400: 'LH_INVALID_REQUEST',
  401: 'LH_UNAUTHORIZED',
  404: 'LH_NOT_FOUND',
  413: 'LH_BODY_TOO_LARGE',
  415: 'LH_UNSUPPORTED_MEDIA_TYPE',
  429: 'LH_RATE_LIMITED',
};

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const own = codedErrorOf(error) ?? databaseUnavailable(error);
  const coded = own ?? fastifyClientError(error, request);
  if (!coded) {
    request.log.error({ err: error }, 'request failed');
    if (!reply.sent) reply.code(500).send(errorBody('LH_INTERNAL'));
    return;
  }
  // Fastify's rarer client errors (405, 408, 431 …) keep fastify's status under LH_INVALID_REQUEST.
  const status = own || FASTIFY_CLIENT_ERRORS[error.statusCode!] ? statusOf(coded.code) : error.statusCode!;
  if (status >= 500) {
    if (status === 500) request.log.error({ err: error, code: coded.code }, 'request failed');
    else request.log.warn({ err: error, code: coded.code }, coded.summary);
    if (reply.sent) return;
  }
  if (coded.retryAfterSeconds !== undefined) reply.header('retry-after', String(coded.retryAfterSeconds));
  // A 500's message is the catalogue's: what went wrong inside is for the log, not the client.
  reply.code(status).send(status === 500 ? errorBody(coded.code) : errorBody(coded.code, coded.summary, coded.fields));
}

/**
 * The database is restarting or out of reach: nothing was written (one transaction per request),
 * so the client may send the same request again.
 */
function databaseUnavailable(error: unknown): CodedErrorView | undefined {
  if (!isStoreUnavailable(error)) return undefined;
  const message = ERROR_CATALOGUE.LH_DB_UNAVAILABLE.message;
  return { code: 'LH_DB_UNAVAILABLE', message, summary: message, fields: [], retryAfterSeconds: RETRY_AFTER_SECONDS };
}

/** A schema violation or a client error fastify raised itself, in coded form. */
function fastifyClientError(error: FastifyError, request: FastifyRequest): CodedErrorView | undefined {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields = error.validation.map((v) => ({
      path: formatPath(
        v.instancePath
          .split('/')
          .filter(Boolean)
          .map((key) => (/^\d+$/.test(key) ? Number(key) : key)),
      ),
      message: v.message ?? 'invalid',
    }));
    const message = `invalid ${error.validationContext ?? 'body'}`;
    return { code: 'LH_INVALID_REQUEST', message, summary: message, fields };
  }
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) return undefined;
  const code = FASTIFY_CLIENT_ERRORS[status] ?? 'LH_INVALID_REQUEST';
  const message = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? unsupportedContentType(request.headers['content-type']) : error.message;
  // A refused body has the field-error shape of every other 400.
  const fields = status === 400 || code === 'LH_UNSUPPORTED_MEDIA_TYPE' ? [{ path: '', message }] : [];
  return { code, message, summary: message, fields };
}

function fieldError({ path, message, line, column }: FieldError): FieldError {
  return { path, message, ...(line !== undefined && column !== undefined ? { line, column } : {}) };
}

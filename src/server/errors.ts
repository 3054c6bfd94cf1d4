// One error shape for every route: `{ message, errors: [{ path, message }] }`. Client mistakes
// (bad JSON, wrong content type, schema violations) are 4xx with field paths, never 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { formatPath } from '../domain/index.js';
import { isStoreUnavailable } from '../store/index.js';
import { RequestValidationError } from './validation.js';

export interface FieldError {
  path: string;
  message: string;
  /** For a template that does not parse: the position inside that field's template. */
  line?: number;
  column?: number;
}

export interface ErrorBody {
  message: string;
  errors?: FieldError[];
}

/** Thrown by handlers for an expected client-side failure. */
export class HttpError extends Error {
  constructor(
    public readonly statusCode: number,
    message: string,
    public readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`);

/** What a 503 asks a client to wait while the database is out of reach. */
export const RETRY_AFTER_SECONDS = 2;

/** Field paths read like code: `attributes[0].external_id`, `headers["Content-Type"]`. */
export function fieldErrorsFromZod(error: z.ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.map((issue) => ({ path: formatPath([...prefix, ...issue.path]), message: issue.message }));
}

export function invalid(error: z.ZodError, message = 'invalid request', prefix: (string | number)[] = []): HttpError {
  return new HttpError(400, message, fieldErrorsFromZod(error, prefix));
}

/** 415's message: what was sent instead of JSON, and what to send. */
export function unsupportedContentType(contentType: string | undefined): string {
  const type = contentType?.split(';')[0]!.trim();
  const hint = 'send Content-Type: application/json';
  return type ? `unsupported content type ${type}; ${hint}` : `a request body needs a content type; ${hint}`;
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof HttpError) {
    reply.code(error.statusCode).send(body(error.message, error.errors));
    return;
  }
  if (error instanceof RequestValidationError) {
    reply.code(400).send(body(`invalid ${error.validationContext ?? 'request'}`, error.errors));
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const errors = error.validation.map((v) => ({
      path: formatPath(
        v.instancePath
          .split('/')
          .filter(Boolean)
          .map((key) => (/^\d+$/.test(key) ? Number(key) : key)),
      ),
      message: v.message ?? 'invalid',
    }));
    reply.code(400).send(body(`invalid ${where}`, errors));
    return;
  }
  if (isStoreUnavailable(error)) {
    // The database is restarting or out of reach: nothing was written (one transaction per
    // request), so the client may send the same request again.
    request.log.warn({ err: error }, 'database unavailable');
    reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send(body('database unavailable: nothing was written, retry later'));
    return;
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (a content type it cannot read, too large, rate limited); a
    // refused body has the field-error shape of every other 400.
    const mediaType = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
    const message = mediaType ? unsupportedContentType(request.headers['content-type']) : error.message;
    reply.code(status).send(body(message, status === 400 || mediaType ? [{ path: '', message }] : undefined));
    return;
  }
  request.log.error({ err: error }, 'request failed');
  if (reply.sent) return;
  reply.code(500).send(body('internal error'));
}

function body(message: string, errors?: FieldError[]): ErrorBody {
  return errors && errors.length > 0 ? { message, errors } : { message };
}

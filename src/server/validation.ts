// Request validation with zod that keeps each issue's exact path, so a 400 names the field the
// way the client wrote it (`attributes[0]["lead score"]`), keys with "/" or "." included.
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { formatZodIssues } from '../domain/index.js';
import { CodedError } from '../errors/index.js';

/** LH_INVALID_REQUEST naming the part (body, querystring, params) fastify validated. */
export class RequestValidationError extends CodedError {
  /** Set by fastify: which part of the request this is about. */
  validationContext?: string;

  constructor(error: z.ZodError) {
    super('LH_INVALID_REQUEST', 'invalid request', { fields: formatZodIssues(error) });
    this.name = 'RequestValidationError';
  }

  override get summary(): string {
    return `invalid ${this.validationContext ?? 'request'}`;
  }
}

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: new RequestValidationError(result.error) };
  };

/** For routes that validate in the handler (to shape their own 400) but still document a schema. */
export const passThroughValidator: FastifySchemaCompiler<unknown> = () => (data) => ({ value: data });

/** Params and query checked by their zod schemas; the body left to a handler that shapes its own 400. */
export const handlerValidatesBody: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? passThroughValidator(route) : zodValidatorCompiler(route as Parameters<typeof zodValidatorCompiler>[0]);

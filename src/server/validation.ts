// Request validation with zod that keeps each issue's exact path, so a 400 names the field the
// way the client wrote it (`attributes[0]["lead score"]`), keys with "/" or "." included.
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { formatZodIssues } from '../domain/index.js';
import type { FieldError } from './errors.js';

export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';
  validationContext?: string;
  readonly errors: FieldError[];

  constructor(error: z.ZodError) {
    super('invalid request');
    this.name = 'RequestValidationError';
    this.errors = formatZodIssues(error);
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

// How the render pool's own failures reach a client: a full pool is 503 with Retry-After (come
// back shortly), a render stopped at its wall time or memory is 422 naming the limit (the
// template's doing, like any other render error). Neither is a 500.
import type { FastifyReply } from 'fastify';
import { RenderPoolBusyError, RenderStoppedError } from '../render/pool/index.js';
import { HttpError } from './errors.js';
import { ErrorBodySchema } from './schemas/common.js';

export async function throughPool<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw poolHttpError(reply, error);
  }
}

/** The HTTP form of a pool failure (Retry-After set on `reply`), or the error itself. */
export function poolHttpError(reply: FastifyReply, error: unknown): unknown {
  if (error instanceof RenderPoolBusyError) {
    reply.header('retry-after', String(error.retryAfterSeconds));
    return new HttpError(503, error.message);
  }
  // A thread that exited for another reason is a fault of the service, not of the template.
  if (error instanceof RenderStoppedError && error.reason !== 'exit') return new HttpError(422, error.message, [{ path: 'webhook', message: error.message }]);
  return error;
}

/** Response schemas of routes that render through the pool. */
export const POOL_RESPONSES = {
  422: ErrorBodySchema.describe('The render was stopped at its wall-time or memory limit'),
  503: ErrorBodySchema.describe('Every render thread is busy and the queue is full: retry after Retry-After seconds'),
} as const;

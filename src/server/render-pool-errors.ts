// The answers of routes that render on the render pool, besides the template's own errors: a
// full pool is LH_RENDER_BUSY (503 with Retry-After: come back shortly), a render stopped at its
// wall time or memory is LH_LIMIT_EXCEEDED (422 naming the limit, the template's doing like any
// other render error). The error handler maps both; these schemas document them.
import { ErrorBodySchema } from './schemas/common.js';

/** Response schemas of routes that render through the pool. */
export const POOL_RESPONSES = {
  422: ErrorBodySchema.describe('The render was stopped at its wall-time or memory limit'),
  503: ErrorBodySchema.describe('Every render thread is busy and the queue is full: retry after Retry-After seconds'),
} as const;

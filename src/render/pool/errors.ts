// What a pooled render can fail with besides the template's own errors. The API answers the
// first with 503 and Retry-After, the second with 422 naming the limit: neither is a server fault
// (a thread that exited for another reason is, and stays a 500).
import { CodedError } from '../../errors/index.js';

/** Every render thread is busy and the waiting line is full. */
export class RenderPoolBusyError extends CodedError {
  declare readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, code: 'LH_RENDER_BUSY' | 'LH_DRY_RUNS_BUSY' = 'LH_RENDER_BUSY', message?: string) {
    super(code, message ?? `every render thread is busy and the queue is full; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
    this.name = 'RenderPoolBusyError';
  }
}

export type StopReason = 'time' | 'memory' | 'exit';

/** The thread rendering this request was stopped: the render ran past its wall time or memory. */
export class RenderStoppedError extends CodedError {
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(reason === 'exit' ? 'LH_INTERNAL' : 'LH_LIMIT_EXCEEDED', message, reason === 'exit' ? {} : { fields: [{ path: 'webhook', message }] });
    this.name = 'RenderStoppedError';
  }
}

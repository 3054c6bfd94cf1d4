// What a pooled render can fail with besides the template's own errors. Routes answer the first
// with 503 and Retry-After, the second with 422 naming the limit: neither is a server fault.

/** Every render thread is busy and the waiting line is full. */
export class RenderPoolBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`every render thread is busy and the queue is full; retry in ${retryAfterSeconds} s`);
    this.name = 'RenderPoolBusyError';
  }
}

export type StopReason = 'time' | 'memory' | 'exit';

/** The thread rendering this request was stopped: the render ran past its wall time or memory. */
export class RenderStoppedError extends Error {
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(message);
    this.name = 'RenderStoppedError';
  }
}

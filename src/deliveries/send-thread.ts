// Rendering and webhook requests on a worker thread. The service's one event loop takes the API,
// keeps the outbox in SQLite and plans sends; undici (writing requests, parsing responses) and
// Liquid rendering took about a third of its CPU per send. Here the main thread only posts
// resolved sends and reads attempted ones, in batches. The thread runs createDispatcher and
// createLiquid as they are: same SSRF guard, per-host limit, breaker, timeouts, connected_content
// and token cache.
import { Worker } from 'node:worker_threads';
import type { DispatcherOptions } from '../dispatch/index.js';
import { networkFailure } from './attempt.js';
import type { Attempted, ResolvedSend } from './send-stages.js';

/** Options that can cross to the thread: no clock, agent or lookup functions. */
export type SendThreadConfig = Omit<DispatcherOptions, 'now' | 'agent' | 'lookup' | 'logger'>;

export type JobMessage = { jobs: [id: number, send: ResolvedSend][] } | { close: true } | { contentBlocks: Record<string, string> };
/** An attempted send, with the redacted attempt for a log line when the caller logs attempts. */
export type ThreadAttempted = Attempted & { attemptLog?: object };

/** The Content Blocks renders on the thread include: a snapshot at start and after every change. */
export interface ContentBlockSource {
  snapshot(): Record<string, string>;
  onChange(listener: () => void): () => void;
}
export interface ResultMessage {
  results: [id: number, attempted: ThreadAttempted][];
}

export interface SendThread {
  /** Renders and sends a resolved send on the thread. */
  attempt(send: ResolvedSend): Promise<Attempted>;
  close(): Promise<void>;
}

/** How long close() lets the thread finish its connections before stopping it. */
const CLOSE_WAIT_MS = 1000;

export function createSendThread(
  options: SendThreadConfig & Pick<DispatcherOptions, 'logger'> & { contentBlocks?: ContentBlockSource } = {},
): SendThread {
  const { logger, contentBlocks, ...threadConfig } = options;
  const pending = new Map<number, (attempted: Attempted) => void>();
  let jobs: [id: number, send: ResolvedSend][] = [];
  let nextId = 0;
  let thread: Worker | undefined;
  let closed = false;

  function start(): Worker {
    const worker = spawnEntry({ ...threadConfig, logAttempts: logger !== undefined });
    worker.unref();
    // Ahead of any job: messages reach the thread in order.
    if (contentBlocks) worker.postMessage({ contentBlocks: contentBlocks.snapshot() } satisfies JobMessage);
    worker.on('message', (message: ResultMessage) => {
      for (const [id, attempted] of message.results) settle(id, attempted);
    });
    worker.on('error', (error) => stopped(worker, error));
    worker.on('exit', () => stopped(worker, new Error('the send thread exited')));
    return worker;
  }

  /** Sends in flight on a thread that died end as network failures (retried like any other). */
  function stopped(worker: Worker, error: Error): void {
    if (thread !== worker) return;
    thread = undefined;
    failPending(error);
  }

  function failPending(error: Error): void {
    // Whether the request left is unknown: a network failure, so the retry rules decide.
    for (const id of [...pending.keys()]) settle(id, { kind: 'attempted', log: {}, result: networkFailure(error.message) });
  }

  function settle(id: number, attempted: ThreadAttempted): void {
    const resolve = pending.get(id);
    if (!resolve) return;
    pending.delete(id);
    if (pending.size === 0) thread?.unref();
    const { attemptLog, ...rest } = attempted;
    if (logger && attemptLog) {
      try {
        logger.info({ webhookAttempt: attemptLog }, 'webhook attempt');
      } catch {
        // As in the dispatcher: a log line must not turn a result into a throw.
      }
    }
    resolve(rest as Attempted);
  }

  /** Sends asked for in the same turn of the event loop cross to the thread in one message. */
  function flush(): void {
    const message: JobMessage = { jobs };
    jobs = [];
    thread ??= start();
    thread.ref();
    thread.postMessage(message);
  }

  const stopBlockUpdates = contentBlocks?.onChange(() => thread?.postMessage({ contentBlocks: contentBlocks.snapshot() } satisfies JobMessage));

  return {
    attempt(send) {
      if (closed) return Promise.reject(new Error('the send thread is closed'));
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        if (jobs.push([id, send]) === 1) setImmediate(flush);
      });
    },
    async close() {
      closed = true;
      stopBlockUpdates?.();
      const worker = thread;
      thread = undefined;
      if (worker) {
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage({ close: true } satisfies JobMessage);
        // Closing the agents waits for responses still coming; past a moment they are abandoned.
        const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
        await exited;
        clearTimeout(timer);
      }
      failPending(new Error('the send thread closed before the response'));
    },
  };
}

/** The compiled entry next to this file; from TypeScript sources (tests, tsx) through tsx. */
function spawnEntry(workerData: SendThreadConfig & { logAttempts: boolean }): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./send-thread-entry.ts', here).href;
    const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(source, { eval: true, workerData });
  }
  return new Worker(new URL('./send-thread-entry.js', here), { workerData });
}

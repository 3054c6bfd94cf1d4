// Rendering and webhook requests on a worker thread. The service's one event loop takes the API,
// keeps the outbox in SQLite and plans sends; undici (writing requests, parsing responses) and
// Liquid rendering took about a third of its CPU per send. Here the main thread only posts jobs
// and reads results, in batches. The thread runs createDispatcher and createLiquid as they are:
// same SSRF guard, per-host limit, breaker, timeouts, connected_content and token cache.
import { Worker } from 'node:worker_threads';
import { parseAllowedHosts } from '../dispatch/allowlist.js';
import { CLOSED, type BreakerState } from '../dispatch/circuit-breaker.js';
import { DispatcherConfigSchema, type DispatcherOptions, type SendOptions, type WebhookDispatcher } from '../dispatch/dispatcher.js';
import { redactAttemptForLog } from '../dispatch/redaction.js';
import type { AttemptResult, WebhookRequest } from '../dispatch/types.js';
import { networkFailure } from './process.js';
import type { SendJob } from './prepare.js';
import type { RemoteAttempt } from './types.js';

/** Options that can cross to the thread: no clock, agent or lookup functions. */
export type SendThreadConfig = Omit<DispatcherOptions, 'now' | 'agent' | 'lookup' | 'logger'>;

export type Job = { id: number } & ({ kind: 'send'; request: WebhookRequest; options: SendOptions } | { kind: 'render'; job: SendJob });
export type JobMessage = { jobs: Job[] } | { close: true } | { contentBlocks: Record<string, string> };

/** The Content Blocks renders on the thread include: a snapshot at start and after every change. */
export interface ContentBlockSource {
  snapshot(): Record<string, string>;
  onChange(listener: () => void): () => void;
}
export interface OriginLoad {
  breaker: BreakerState;
  active: number;
  waiting: number;
}
export interface ResultMessage {
  results: [id: number, result: AttemptResult | RemoteAttempt][];
  /** State of the origins these results went to, for breakerState() and load() here. */
  origins: Record<string, OriginLoad>;
}

/** A WebhookDispatcher on the thread, plus whole sends: render, then request. */
export interface SendThread extends WebhookDispatcher {
  renderAndSend(job: SendJob): Promise<RemoteAttempt>;
}

/** How long close() lets the thread finish its connections before stopping it. */
const CLOSE_WAIT_MS = 1000;

interface Pending {
  resolve: (result: AttemptResult | RemoteAttempt) => void;
  /** Set for plain sends: logged here with their result. */
  request?: WebhookRequest;
}

export function createSendThread(
  options: SendThreadConfig & Pick<DispatcherOptions, 'logger'> & { contentBlocks?: ContentBlockSource } = {},
): SendThread {
  const { logger, contentBlocks, ...threadConfig } = options;
  const config = DispatcherConfigSchema.parse(threadConfig);
  const pending = new Map<number, Pending>();
  const origins = new Map<string, OriginLoad>();
  let queue: Job[] = [];
  let nextId = 0;
  let thread: Worker | undefined;
  let closed = false;

  function start(): Worker {
    const worker = spawnEntry({ ...threadConfig, logAttempts: logger !== undefined });
    worker.unref();
    // Ahead of any job: messages reach the thread in order.
    if (contentBlocks) worker.postMessage({ contentBlocks: contentBlocks.snapshot() } satisfies JobMessage);
    worker.on('message', (message: ResultMessage) => {
      for (const [origin, load] of Object.entries(message.origins)) origins.set(origin, load);
      for (const [id, result] of message.results) settle(id, result);
    });
    worker.on('error', (error) => stopped(worker, error));
    worker.on('exit', () => stopped(worker, new Error('the send thread exited')));
    return worker;
  }

  /** Jobs in flight on a thread that died end as network failures (retried like any other). */
  function stopped(worker: Worker, error: Error): void {
    if (thread !== worker) return;
    thread = undefined;
    failPending(error);
  }

  function failPending(error: Error): void {
    for (const [id, entry] of [...pending]) {
      // Whether the request left is unknown: a network failure, so the retry rules decide.
      const failure = networkFailure(error.message);
      settle(id, entry.request ? failure : { prepared: { kind: 'send', log: {} }, result: failure });
    }
  }

  function settle(id: number, result: AttemptResult | RemoteAttempt): void {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (pending.size === 0) thread?.unref();
    if (logger) {
      try {
        const line = entry.request ? redactAttemptForLog(entry.request, result as AttemptResult) : (result as RemoteAttempt).attemptLog;
        if (line) logger.info({ webhookAttempt: line }, 'webhook attempt');
      } catch {
        // As in the dispatcher: a log line must not turn a result into a throw.
      }
    }
    if (!entry.request) delete (result as RemoteAttempt).attemptLog;
    entry.resolve(result);
  }

  /** Jobs asked for in the same turn of the event loop cross to the thread in one message. */
  function flush(): void {
    const jobs = queue;
    queue = [];
    thread ??= start();
    thread.ref();
    thread.postMessage({ jobs } satisfies JobMessage);
  }

  function submit<T extends AttemptResult | RemoteAttempt>(job: Job, request?: WebhookRequest): Promise<T> {
    if (closed) return Promise.reject(new Error('the send thread is closed'));
    return new Promise((resolve) => {
      pending.set(job.id, { resolve: resolve as Pending['resolve'], ...(request ? { request } : {}) });
      if (queue.push(job) === 1) setImmediate(flush);
    });
  }

  const stopBlockUpdates = contentBlocks?.onChange(() => thread?.postMessage({ contentBlocks: contentBlocks.snapshot() } satisfies JobMessage));

  return {
    send: (request, sendOptions = {}) => submit<AttemptResult>({ id: nextId++, kind: 'send', request, options: sendOptions }, request),
    renderAndSend: (job) => submit<RemoteAttempt>({ id: nextId++, kind: 'render', job }),
    breakerState: (origin) => origins.get(origin)?.breaker ?? CLOSED,
    load: (origin) => {
      const load = origins.get(origin);
      return { active: load?.active ?? 0, waiting: load?.waiting ?? 0 };
    },
    config,
    allowList: parseAllowedHosts(config.allowedHosts),
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

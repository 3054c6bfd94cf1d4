// A WebhookDispatcher whose HTTP exchanges run on a worker thread. On the service's one event
// loop, about a quarter of the CPU per send was undici (writing requests, parsing responses,
// socket callbacks); here the main thread only posts requests and reads results, in batches.
// The thread runs createDispatcher as is: same SSRF guard, per-host limit, breaker, timeouts.
import { Worker } from 'node:worker_threads';
import type { ResultMessage, SendMessage } from './thread-entry.js';
import { parseAllowedHosts } from './allowlist.js';
import { CLOSED } from './circuit-breaker.js';
import { DispatcherConfigSchema, type DispatcherOptions, type SendOptions, type WebhookDispatcher } from './dispatcher.js';
import { redactAttemptForLog } from './redaction.js';
import type { AttemptResult, WebhookRequest } from './types.js';

/** Options that can cross to the thread: no clock, agent or lookup functions. */
export type ThreadDispatcherConfig = Omit<DispatcherOptions, 'now' | 'agent' | 'lookup' | 'logger'>;

/** How long close() lets the thread finish its connections before stopping it. */
const CLOSE_WAIT_MS = 1000;

interface Pending {
  resolve: (result: AttemptResult) => void;
  request: WebhookRequest;
}

export function createThreadDispatcher(options: ThreadDispatcherConfig & Pick<DispatcherOptions, 'logger'> = {}): WebhookDispatcher {
  const { logger, ...threadConfig } = options;
  const config = DispatcherConfigSchema.parse(threadConfig);
  const pending = new Map<number, Pending>();
  const origins = new Map<string, ResultMessage['origins'][string]>();
  let queue: Extract<SendMessage, { sends: unknown }>['sends'] = [];
  let nextId = 0;
  let thread: Worker | undefined;
  let closed = false;

  function start(): Worker {
    const worker = spawnEntry(threadConfig);
    worker.unref();
    worker.on('message', (message: ResultMessage) => {
      for (const [origin, load] of Object.entries(message.origins)) origins.set(origin, load);
      for (const [id, result] of message.results) settle(id, result);
    });
    worker.on('error', (error) => stopped(worker, error));
    worker.on('exit', () => stopped(worker, new Error('the dispatch thread exited')));
    return worker;
  }

  /** Sends in flight on a thread that died end as network failures (retried like any other). */
  function stopped(worker: Worker, error: Error): void {
    if (thread !== worker) return;
    thread = undefined;
    failPending(error);
  }

  function failPending(error: Error): void {
    for (const id of [...pending.keys()]) {
      settle(id, { ok: false, headers: {}, responseBody: '', responseTruncated: false, latencyMs: 0, startedAt: Date.now(), error: { kind: 'network', message: error.message } });
    }
  }

  function settle(id: number, result: AttemptResult): void {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (pending.size === 0) thread?.unref();
    if (logger) {
      try {
        logger.info({ webhookAttempt: redactAttemptForLog(entry.request, result) }, 'webhook attempt');
      } catch {
        // As in the dispatcher: a log line must not turn a result into a throw.
      }
    }
    entry.resolve(result);
  }

  /** Sends asked for in the same turn of the event loop cross to the thread in one message. */
  function flush(): void {
    const sends = queue;
    queue = [];
    thread ??= start();
    thread.ref();
    thread.postMessage({ sends } satisfies SendMessage);
  }

  return {
    send(request: WebhookRequest, sendOptions: SendOptions = {}): Promise<AttemptResult> {
      if (closed) return Promise.reject(new Error('dispatcher is closed'));
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { resolve, request });
        if (queue.push([id, request, sendOptions]) === 1) setImmediate(flush);
      });
    },
    breakerState: (origin) => origins.get(origin)?.breaker ?? CLOSED,
    load: (origin) => {
      const load = origins.get(origin);
      return { active: load?.active ?? 0, waiting: load?.waiting ?? 0 };
    },
    config,
    allowList: parseAllowedHosts(config.allowedHosts),
    async close() {
      closed = true;
      const worker = thread;
      thread = undefined;
      if (!worker) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage({ close: true } satisfies SendMessage);
      // Closing the agent waits for responses still coming; past a moment they are abandoned.
      const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
      await exited;
      clearTimeout(timer);
      failPending(new Error('the dispatcher closed before the response'));
    },
  };
}

/** The compiled entry next to this file; from TypeScript sources (tests, tsx) through tsx. */
function spawnEntry(workerData: ThreadDispatcherConfig): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./thread-entry.ts', here).href;
    const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(source, { eval: true, workerData });
  }
  return new Worker(new URL('./thread-entry.js', here), { workerData });
}

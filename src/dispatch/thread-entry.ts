// The dispatch thread: a plain createDispatcher whose sends arrive from the main thread in
// batches and whose results go back in batches (see thread-dispatcher.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { createDispatcher, type SendOptions } from './dispatcher.js';
import type { AttemptResult, WebhookRequest } from './types.js';
import type { ThreadDispatcherConfig } from './thread-dispatcher.js';

export type SendMessage = { sends: [id: number, request: WebhookRequest, options: SendOptions][] } | { close: true };
export interface OriginLoad {
  breaker: ReturnType<ReturnType<typeof createDispatcher>['breakerState']>;
  active: number;
  waiting: number;
}
export interface ResultMessage {
  results: [id: number, result: AttemptResult][];
  /** State of the origins these results went to, for breakerState() and load() on the main thread. */
  origins: Record<string, OriginLoad>;
}

const port = parentPort!;
const dispatcher = createDispatcher(workerData as ThreadDispatcherConfig);
let results: ResultMessage['results'] = [];
let origins = new Set<string>();
let scheduled = false;

/** Results finishing in the same turn of the event loop go back in one message. */
function post(): void {
  scheduled = false;
  const message: ResultMessage = { results, origins: {} };
  for (const origin of origins) message.origins[origin] = { breaker: dispatcher.breakerState(origin), ...dispatcher.load(origin) };
  results = [];
  origins = new Set();
  port.postMessage(message);
}

port.on('message', (message: SendMessage) => {
  if ('close' in message) {
    void dispatcher.close().finally(() => port.close());
    return;
  }
  for (const [id, request, options] of message.sends) {
    void dispatcher.send(request, options).then((result) => {
      results.push([id, result]);
      origins.add(originOf(request.url));
      if (!scheduled) {
        scheduled = true;
        setImmediate(post);
      }
    });
  }
});

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid';
  }
}

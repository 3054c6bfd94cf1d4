// The send thread: its own Liquid engine (with connected_content and its token cache) and its
// own dispatcher. Resolved sends arrive from the main thread in batches; attempted ones go back
// in batches.
import { parentPort, workerData } from 'node:worker_threads';
import { createDispatcher, createGuardedAgent, parseAllowedHosts, redactAttemptForLog } from '../dispatch/index.js';
import { createLiquid } from '../liquid/index.js';
import { attemptRendered, renderSend } from './attempt.js';
import type { ResolvedSend } from './send-stages.js';
import type { JobMessage, ResultMessage, SendThreadConfig, ThreadAttempted } from './send-thread.js';

const port = parentPort!;
const { logAttempts, ...config } = workerData as SendThreadConfig & { logAttempts: boolean };
const dispatcher = createDispatcher(config);
const connectedContentAgent = createGuardedAgent({ allowedHosts: parseAllowedHosts(config.allowedHosts ?? '') });
// Content Blocks arrive from the main thread (before the first job, and after each change).
let contentBlocks: Record<string, string> = {};
const engine = createLiquid({
  connectedContent: { dispatcher: connectedContentAgent },
  contentBlocks: (name) => (Object.hasOwn(contentBlocks, name) ? contentBlocks[name] : undefined),
});

let results: ResultMessage['results'] = [];

/** Sends finishing in the same turn of the event loop go back in one message. */
function post(): void {
  const message: ResultMessage = { results };
  results = [];
  port.postMessage(message);
}

async function attempt(send: ResolvedSend): Promise<ThreadAttempted> {
  const rendered = await renderSend(engine, send);
  // The worker stores the attempt without the response's headers; only the attempt log shows them.
  const attempted: ThreadAttempted = await attemptRendered(rendered, (request) => dispatcher.send(request, { responseHeaders: logAttempts }));
  if (logAttempts && rendered.kind === 'rendered' && attempted.kind === 'attempted') {
    attempted.attemptLog = redactAttemptForLog(rendered.request, attempted.result);
  }
  return attempted;
}

port.on('message', (message: JobMessage) => {
  if ('contentBlocks' in message) {
    contentBlocks = message.contentBlocks;
    return;
  }
  if ('close' in message) {
    void Promise.allSettled([dispatcher.close(), connectedContentAgent.close()]).finally(() => port.close());
    return;
  }
  for (const [id, send] of message.jobs) {
    void attempt(send).then((attempted) => {
      if (results.push([id, attempted]) === 1) setImmediate(post);
    });
  }
});

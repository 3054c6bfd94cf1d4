// The send thread: its own Liquid engine (with connected_content and its token cache) and its
// own dispatcher. Jobs arrive from the main thread in batches; results go back in batches.
import { parentPort, workerData } from 'node:worker_threads';
import { createDispatcher } from '../dispatch/dispatcher.js';
import { redactAttemptForLog } from '../dispatch/redaction.js';
import { createGuardedAgent } from '../dispatch/ssrf.js';
import { parseAllowedHosts } from '../dispatch/allowlist.js';
import { createLiquid } from '../liquid/index.js';
import { renderSendJob } from './prepare.js';
import { renderFailure } from './process.js';
import type { Job, JobMessage, OriginLoad, ResultMessage, SendThreadConfig } from './send-thread.js';
import type { RemoteAttempt } from './types.js';

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
let origins = new Set<string>();
let scheduled = false;

/** Results finishing in the same turn of the event loop go back in one message. */
function post(): void {
  scheduled = false;
  const message: ResultMessage = { results, origins: {} };
  for (const origin of origins) message.origins[origin] = loadOf(origin);
  results = [];
  origins = new Set();
  port.postMessage(message);
}

function reply(id: number, result: ResultMessage['results'][number][1], url: string | undefined): void {
  results.push([id, result]);
  if (url !== undefined) origins.add(originOf(url));
  if (!scheduled) {
    scheduled = true;
    setImmediate(post);
  }
}

async function renderAndSend(job: Extract<Job, { kind: 'render' }>): Promise<[RemoteAttempt, string | undefined]> {
  let prepared;
  try {
    prepared = await renderSendJob(engine, job.job);
  } catch (error) {
    return [{ prepared: renderFailure(error) }, undefined];
  }
  if (prepared.kind !== 'send') return [{ prepared }, undefined];
  const result = await dispatcher.send(prepared.request);
  const attempt: RemoteAttempt = { prepared: { kind: 'send', log: prepared.log }, result };
  if (logAttempts) attempt.attemptLog = redactAttemptForLog(prepared.request, result);
  return [attempt, prepared.request.url];
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
  for (const job of message.jobs) {
    if (job.kind === 'send') void dispatcher.send(job.request, job.options).then((result) => reply(job.id, result, job.request.url));
    else void renderAndSend(job).then(([attempt, url]) => reply(job.id, attempt, url));
  }
});

function loadOf(origin: string): OriginLoad {
  return { breaker: dispatcher.breakerState(origin), ...dispatcher.load(origin) };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid';
  }
}

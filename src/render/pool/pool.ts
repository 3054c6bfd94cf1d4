// The render pool: previews and test-send renders on a few worker threads instead of the API's
// event loop, so a hostile template slows its own request, not /health or /users/track.
// Bounded three ways: a short waiting line (past it, RenderPoolBusyError: 503 + Retry-After),
// wall time per render (the thread is stopped and replaced) and memory per thread (the same).
import type { RenderLimits } from '../../liquid/index.js';
import type { RecordedResponses, WebhookPreview } from '../preview.js';
import type { AssembledRequest } from '../render-request.js';
import type { Webhook } from '../schema.js';
import { contentBlocksUsedBy } from '../template-check.js';
import { RenderPoolBusyError } from './errors.js';
import { RenderThread } from './thread.js';

export interface RenderPoolOptions {
  /** Renders running at once, one per thread. */
  threads: number;
  /** Renders that may wait for a free thread; more are refused with RenderPoolBusyError. */
  queue: number;
  /** The engine's wall-time limit of one render, connected_content included. */
  renderTimeMs: number;
  /** V8 heap of one thread; a render that needs more ends its thread. */
  memoryMb: number;
  /** SSRF guard exemptions for live connected_content (LIQUIDHOOK_ALLOWED_HOSTS). */
  allowedHosts?: string;
  /** Engine limits over the defaults (tests raise them, renderTimeMs too, to reach the thread's own stops). */
  limits?: RenderLimits;
  /** How long past renderTimeMs a render may run before its thread is stopped (default 1 s). */
  stopGraceMs?: number;
  /** The Content Blocks in force (name → Liquid); each task carries the ones its webhook uses. */
  contentBlocks?: { snapshot(): Record<string, string> };
}

export interface PreviewTask {
  kind: 'preview';
  webhook: Webhook;
  attributes: object;
  connectedContent: 'stub' | 'live' | RecordedResponses;
  /** Configured secret values to redact. */
  secrets?: string[];
  /** The Content Blocks the webhook can include (added by the pool). */
  contentBlocks?: Record<string, string>;
}

/** A test send's render: live connected_content, un-redacted (the request is sent as rendered). */
export interface SendRenderTask {
  kind: 'render';
  webhook: Webhook;
  context: object;
  contentBlocks?: Record<string, string>;
}

export type PoolTask = PreviewTask | SendRenderTask;

export interface RenderPoolStats {
  threads: number;
  busy: number;
  queued: number;
}

export interface RenderPool {
  preview(task: Omit<PreviewTask, 'kind'>): Promise<WebhookPreview>;
  renderForSend(task: Omit<SendRenderTask, 'kind'>): Promise<AssembledRequest>;
  stats(): RenderPoolStats;
  close(): Promise<void>;
}

interface Waiting {
  task: PoolTask;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export function createRenderPool(options: RenderPoolOptions): RenderPool {
  const slots: (RenderThread | undefined)[] = Array.from({ length: Math.max(1, options.threads) }, () => undefined);
  const busy = new Set<number>();
  const waiting: Waiting[] = [];
  const stallMs = options.renderTimeMs + (options.stopGraceMs ?? 1000);
  const retryAfterSeconds = Math.max(1, Math.ceil(options.renderTimeMs / 1000));
  const workerData = { allowedHosts: options.allowedHosts ?? '', limits: { renderTimeMs: options.renderTimeMs, ...options.limits } };
  let closed = false;

  const threadFor = (slot: number): RenderThread => {
    const current = slots[slot];
    if (current && !current.stopped) return current;
    // A stopped thread (wall time, memory) is replaced by a fresh one.
    const thread = new RenderThread({ moduleUrl: import.meta.url, entry: 'entry', workerData, memoryMb: options.memoryMb, stallMs });
    slots[slot] = thread;
    return thread;
  };

  const start = (slot: number, job: Waiting): void => {
    busy.add(slot);
    threadFor(slot)
      .run(job.task)
      .then(job.resolve, job.reject)
      .finally(() => {
        busy.delete(slot);
        const next = waiting.shift();
        if (next && !closed) start(slot, next);
      });
  };

  const submit = <T>(task: PoolTask): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closed) return reject(new Error('the render pool is closed'));
      const job: Waiting = { task, resolve: resolve as Waiting['resolve'], reject };
      const free = slots.findIndex((_thread, slot) => !busy.has(slot));
      if (free >= 0) start(free, job);
      else if (waiting.length < options.queue) waiting.push(job);
      else reject(new RenderPoolBusyError(retryAfterSeconds));
    });

  const blocksFor = (webhook: Webhook): { contentBlocks?: Record<string, string> } =>
    options.contentBlocks ? { contentBlocks: contentBlocksUsedBy(webhook, options.contentBlocks.snapshot()) } : {};

  return {
    preview: (task) => submit<WebhookPreview>({ kind: 'preview', ...task, ...blocksFor(task.webhook) }),
    renderForSend: (task) => submit<AssembledRequest>({ kind: 'render', ...task, ...blocksFor(task.webhook) }),
    stats: () => ({ threads: slots.filter((t) => t && !t.stopped).length, busy: busy.size, queued: waiting.length }),
    async close() {
      closed = true;
      for (const job of waiting.splice(0)) job.reject(new Error('the render pool is closed'));
      await Promise.all(slots.map((thread) => thread?.terminate()));
    },
  };
}

// One render thread: a worker under a memory limit, running the tasks of one entry module (the
// pool's, or a dry run's). A watchdog stops the thread when its heartbeat stalls longer than the
// wall time allowed, which also ends a render stuck in synchronous code that the engine's own
// limits cannot interrupt. Whatever stops the thread fails its tasks with RenderStoppedError.
import type { Worker } from 'node:worker_threads';
import { CodedError, type CodedErrorView } from '../../errors/index.js';
import { RenderStoppedError, type StopReason } from './errors.js';
import type { TaskReply } from './serve.js';
import { spawnEntry } from './spawn.js';

export interface ThreadSpec {
  /** The caller's import.meta.url and the entry's file name next to it (see spawnEntry). */
  moduleUrl: string;
  entry: string;
  workerData?: Record<string, unknown>;
  /** V8 old-generation limit of the thread; past it the thread dies and is not reused. */
  memoryMb: number;
  /** A busy thread whose heartbeat does not move for this long is stopped. */
  stallMs: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onEvent?: (event: unknown) => void;
}

export class RenderThread {
  private readonly worker: Worker;
  private readonly heartbeat = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private lastBeat = 0;
  private lastBeatAt = 0;
  /** Set once the entry has loaded; time spent starting does not count against a render. */
  private ready = false;
  /** Why the thread ended, once it has. */
  stopped: RenderStoppedError | undefined;

  constructor(
    private readonly spec: ThreadSpec,
    private readonly onStopped: (thread: RenderThread) => void = () => {},
  ) {
    const workerData = { ...spec.workerData, heartbeat: this.heartbeat.buffer };
    // The young generation is kept small so the old-generation limit is what a big render meets.
    this.worker = spawnEntry(spec.moduleUrl, spec.entry, workerData, { maxOldGenerationSizeMb: spec.memoryMb, maxYoungGenerationSizeMb: 16 });
    this.worker.unref();
    this.worker.on('message', (reply: TaskReply) => this.receive(reply));
    this.worker.on('error', (error: Error & { code?: string }) =>
      error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? this.stop('memory', `render stopped: it needed more than the ${spec.memoryMb} MB a render thread may use`)
        : this.stop('exit', `render thread failed: ${error.message}`),
    );
    this.worker.on('exit', () => this.stop('exit', 'render thread exited'));
  }

  /** Tasks sent and not answered yet. */
  get load(): number {
    return this.pending.size;
  }

  run<T>(task: unknown, onEvent?: (event: unknown) => void): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject, ...(onEvent ? { onEvent } : {}) });
      if (this.pending.size === 1) this.startWatchdog();
      this.worker.postMessage({ id, task });
    });
  }

  /** Ends the thread; its unanswered tasks fail with `reason`. */
  async terminate(reason: StopReason = 'exit', message = 'render thread closed'): Promise<void> {
    this.stop(reason, message);
    await this.worker.terminate();
  }

  private receive(reply: TaskReply): void {
    if ('ready' in reply) {
      this.ready = true;
      this.lastBeatAt = performance.now();
      return;
    }
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    if ('event' in reply) {
      entry.onEvent?.(reply.event);
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.stopWatchdog();
    if (reply.ok) entry.resolve(reply.value);
    else entry.reject(Object.assign(threadError(reply.error), { name: reply.error.name }));
  }

  private startWatchdog(): void {
    this.worker.ref();
    this.lastBeat = Atomics.load(this.heartbeat, 0);
    this.lastBeatAt = performance.now();
    const every = Math.max(10, Math.min(250, this.spec.stallMs / 4));
    this.watchdog = setInterval(() => {
      const beat = Atomics.load(this.heartbeat, 0);
      const now = performance.now();
      if (beat !== this.lastBeat || !this.ready) {
        this.lastBeat = beat;
        this.lastBeatAt = now;
      } else if (now - this.lastBeatAt > this.spec.stallMs) {
        void this.terminate('time', `render stopped: it ran past the ${this.spec.stallMs} ms a render may take`);
      }
    }, every);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.worker.unref();
  }

  private stop(reason: StopReason, message: string): void {
    if (this.stopped) return;
    this.stopped = new RenderStoppedError(reason, message);
    this.stopWatchdog();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) entry.reject(this.stopped);
    this.onStopped(this);
  }
}

/** The main thread's copy of an error a task failed with: a coded one stays coded. */
function threadError({ message, coded }: { message: string; coded?: CodedErrorView }): Error {
  return coded ? new CodedError(coded.code, message, { fields: coded.fields, summary: coded.summary }) : new Error(message);
}

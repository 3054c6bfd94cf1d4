// The thread side of RenderThread: answers each task message through a handler, beats the
// heartbeat the main thread's watchdog reads, and lets a handler stream events (progress).
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { codedErrorOf, type CodedErrorView } from '../../errors/index.js';

export type TaskReply =
  | { ready: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; coded?: CodedErrorView } }
  | { id: number; event: unknown };

export interface TaskContext {
  /** Sends an event to the task's caller before the answer. */
  emit(event: unknown): void;
  /** Tells the watchdog the thread is making progress (call it once per unit of work). */
  beat(): void;
}

export type TaskHandler = (task: unknown, context: TaskContext) => Promise<unknown>;

/** How much lower than the API's thread a render thread runs (a nice value, 0-19). */
const LOWER_PRIORITY = 10;

/** Called once by an entry module: every message is a task for `handler`. */
export function serveTasks(handler: TaskHandler): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs on a worker thread');
  // Renders yield the CPU to the thread that answers the API. Only on Linux, where the nice value
  // belongs to the calling thread; elsewhere it would slow the whole process.
  if (process.platform === 'linux') {
    try {
      setPriority(LOWER_PRIORITY);
    } catch {
      // Not allowed here (some containers): the thread runs at the normal priority.
    }
  }
  const heartbeat = new Int32Array((workerData as { heartbeat: SharedArrayBuffer }).heartbeat);
  const beat = (): void => {
    Atomics.add(heartbeat, 0, 1);
  };
  port.on('message', ({ id, task }: { id: number; task: unknown }) => {
    beat();
    const context: TaskContext = { emit: (event) => port.postMessage({ id, event } satisfies TaskReply), beat };
    handler(task, context).then(
      (value) => port.postMessage({ id, ok: true, value } satisfies TaskReply),
      (error: unknown) => {
        const { name, message } = error instanceof Error ? error : new Error(String(error));
        // A coded error keeps its code (and field paths) across the thread boundary.
        const coded = codedErrorOf(error);
        port.postMessage({ id, ok: false, error: { name, message, ...(coded ? { coded } : {}) } } satisfies TaskReply);
      },
    );
  });
  // Loading the entry (modules, engines) is not render time: the watchdog starts from here.
  port.postMessage({ ready: true } satisfies TaskReply);
}

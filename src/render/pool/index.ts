// Renders off the API's event loop: a bounded pool of worker threads for previews and test
// sends, and the thread primitives a dry run builds on.
export { createRenderPool } from './pool.js';
export type { RenderPool, RenderPoolOptions, RenderPoolStats, PreviewTask, SendRenderTask } from './pool.js';
export { RenderPoolBusyError, RenderStoppedError } from './errors.js';
export type { StopReason } from './errors.js';
export { RenderThread } from './thread.js';
export type { ThreadSpec } from './thread.js';
export { serveTasks } from './serve.js';
export type { TaskContext, TaskHandler } from './serve.js';

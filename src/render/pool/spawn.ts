// Starts a worker thread on a module that sits next to the caller: the compiled `.js` in the
// build, or the TypeScript source through tsx when the service runs from sources (tests, tsx).
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** `moduleUrl`: the caller's import.meta.url; `name`: the entry's file name without extension. */
export function spawnEntry(moduleUrl: string, name: string, workerData: unknown, resourceLimits: ResourceLimits): Worker {
  if (moduleUrl.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, moduleUrl).href;
    const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(source, { eval: true, workerData, resourceLimits });
  }
  return new Worker(new URL(`./${name}.js`, moduleUrl), { workerData, resourceLimits });
}

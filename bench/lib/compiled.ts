// The shipped build: benchmarks measure dist/ (compiled by tsc, what `npm start` and the CLI run)
// rather than the TypeScript sources through tsx, whose transform wraps every function it creates
// in a naming helper and so slows the hot paths it measures. `npm run bench` builds first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = join(import.meta.dirname, '..', '..', 'dist');

/** The compiled CLI (`liquidhook`). */
export const COMPILED_CLI = join(DIST, 'cli', 'main.js');

/** Imports a compiled module by its path under src/ (e.g. 'liquid/index.js'); type it as the source module. */
export async function compiled<T>(modulePath: string): Promise<T> {
  const file = join(DIST, modulePath);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return (await import(pathToFileURL(file).href)) as T;
}

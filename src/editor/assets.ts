// The editor's static files (HTML, CSS, ES modules) read once into memory. They live in
// src/editor/public/ and are resolved from the package root, so the same path works from
// src/ (tsx, tests) and dist/ (built) - both are two folders below the root.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PUBLIC_DIR = fileURLToPath(new URL('../../src/editor/public/', import.meta.url));

/** Where the assets are served; `/` answers index.html. */
export const ASSET_PREFIX = '/editor/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface Asset {
  body: Buffer;
  contentType: string;
}

/** URL path -> asset. Only files present at start are served: no path is ever joined from a request. */
export function loadAssets(dir: string = PUBLIC_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of listFiles(dir)) {
    const contentType = CONTENT_TYPES[extname(file)];
    if (!contentType) continue;
    const urlPath = ASSET_PREFIX + relative(dir, file).split(sep).join('/');
    assets.set(urlPath, { body: readFileSync(file), contentType });
  }
  const index = assets.get(`${ASSET_PREFIX}index.html`);
  if (index) assets.set('/', index);
  return assets;
}

function listFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** The page loads only its own files and talks only to this origin. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

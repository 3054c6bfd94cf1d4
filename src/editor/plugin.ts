// The web editor: a single page served at `/` with its assets under /editor/ (public: the page
// must load before the browser holds an API key). What the page calls, POST /preview included,
// is the HTTP API (src/server).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CodedError } from '../errors/index.js';
import { ASSET_PREFIX, SECURITY_HEADERS, loadAssets, type Asset } from './assets.js';

export interface EditorOptions {
  /** Asset map (tests); defaults to the files in src/editor/public/. */
  assets?: Map<string, Asset>;
}

export function registerEditor(app: FastifyInstance, options: EditorOptions = {}): void {
  const assets = options.assets ?? loadAssets();
  const serve = (path: string) => assets.get(path);
  // Static files carry no data; they are left out of the API description.
  const route = { config: { public: true }, schema: { hide: true } } as const;

  app.get('/', route, async (_request, reply) => send(reply, serve('/')));
  app.get(`${ASSET_PREFIX}*`, route, async (request, reply) => {
    const rest = (request.params as Record<string, string | undefined>)['*'] ?? '';
    return send(reply, serve(ASSET_PREFIX + rest));
  });
}

/** A missing file is answered by the server's error handler, like any other coded error. */
function send(reply: FastifyReply, asset: Asset | undefined) {
  if (!asset) throw new CodedError('LH_NOT_FOUND', 'no such editor file');
  return reply.code(200).headers(SECURITY_HEADERS).type(asset.contentType).send(asset.body);
}

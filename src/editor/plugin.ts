// The web editor: a single page served at `/` with its assets under /editor/ (public: the page
// must load before the browser holds an API key), plus POST /preview, which needs the key.
import type { ZodApp } from '../server/app.js';
import { errorBody } from '../server/errors.js';
import { ASSET_PREFIX, SECURITY_HEADERS, loadAssets, type Asset } from './assets.js';
import { registerEditorPreviewRoute, type EditorPreviewDeps } from './preview-route.js';

export interface EditorOptions extends EditorPreviewDeps {
  /** Asset map (tests); defaults to the files in src/editor/public/. */
  assets?: Map<string, Asset>;
}

/** Route plugin: `(app, ctx)`; the service's route context satisfies EditorOptions. */
export function registerEditor(app: ZodApp, options: EditorOptions): void {
  const assets = options.assets ?? loadAssets();
  const serve = (path: string) => assets.get(path);
  // Static files carry no data; they are left out of the API description.
  const route = { config: { public: true }, schema: { hide: true } } as const;

  app.get('/', route, async (_request, reply) => send(reply, serve('/')));
  app.get(`${ASSET_PREFIX}*`, route, async (request, reply) => {
    const rest = (request.params as Record<string, string | undefined>)['*'] ?? '';
    return send(reply, serve(ASSET_PREFIX + rest));
  });
  registerEditorPreviewRoute(app, options);
}


function send(reply: import('fastify').FastifyReply, asset: Asset | undefined) {
  if (!asset) return reply.code(404).send(errorBody('LH_NOT_FOUND', 'no such editor file'));
  return reply.code(200).headers(SECURITY_HEADERS).type(asset.contentType).send(asset.body);
}

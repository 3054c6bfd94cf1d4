// The web editor: a single page served at `/` with its assets under /editor/, plus the
// POST /preview route it uses for live previews.
//
// The page must load before the browser holds an API key, so the assets are answered from an
// onRequest hook that has to be added before the bearer-key hook (hooks run in the order they
// were added; a hook that replies ends the chain). Only the fixed asset paths are answered
// there; every API route, /preview included, still requires the key.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SECURITY_HEADERS, loadAssets, type Asset } from './assets.js';
import { registerEditorPreviewRoute, type EditorPreviewDeps } from './preview-route.js';

export interface EditorOptions extends EditorPreviewDeps {
  /** Asset map (tests); defaults to the files in src/editor/public/. */
  assets?: Map<string, Asset>;
}

export function registerEditor(app: FastifyInstance, options: EditorOptions): void {
  const assets = options.assets ?? loadAssets();
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    const asset = assets.get(request.url.split('?')[0] ?? '');
    if (!asset) return;
    reply.code(200).headers(SECURITY_HEADERS).type(asset.contentType).send(asset.body);
    return reply;
  });
  registerEditorPreviewRoute(app.withTypeProvider<ZodTypeProvider>(), options);
}

// Table syncs: create, list, inspect, delete, and run now (the report lists rejected rows).
// Syncs with interval_seconds run on their schedule while the app is up.
import { z } from 'zod';
import { notFound } from '../../errors/index.js';
import { newSyncId, SyncRegistry, type StoredSync } from '../../ingest/index.js';
import type { Watermark } from '../../ingest/index.js';
import { SyncConfigSchema } from '../../ingest/index.js';
import type { RoutePlugin } from '../context.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { SyncDetailSchema, SyncListSchema, SyncReportSchema, SyncViewSchema } from '../schemas/sync.js';
import { handlerValidatesBody } from '../validation.js';

const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'id may contain letters, digits and _.:-') });

/** Credentials in a source URL never leave the service. */
const redactUrl = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

export function syncView(stored: StoredSync): z.output<typeof SyncViewSchema> {
  const { source } = stored.config;
  return {
    id: stored.id,
    ...stored.config,
    source: source.kind === 'postgres' ? { ...source, url: redactUrl(source.url) } : source,
    created_at: stored.createdAt,
    updated_at: stored.updatedAt,
  };
}

export const registerSyncRoutes: RoutePlugin = async (app, ctx) => {
  const registry = new SyncRegistry(ctx.store, ctx.intake, ctx.logger);
  await registry.load();
  await registry.loadFiles(ctx.config.templatesDir);
  app.addHook('onReady', async () => registry.start());
  app.addHook('onClose', async () => registry.stop());

  const find = (id: string): StoredSync => {
    const stored = registry.get(id);
    if (!stored) throw notFound(`sync ${id}`);
    return stored;
  };
  // An invalid sync is LH_SYNC_INVALID (400) naming each field.
  const save = (id: string, body: unknown): Promise<StoredSync> => registry.put(id, body);
  const tags = ['sync'];

  // Bodies are validated by the registry (its 400 names each field); the schema documents them.
  const body = { body: SyncConfigSchema };
  const bodyCheck = { validatorCompiler: handlerValidatesBody };
  const saved = { 200: SyncViewSchema, 201: SyncViewSchema, ...ERROR_RESPONSES };

  app.post('/syncs', { schema: { summary: 'Create a table sync', tags, ...body, response: saved }, ...bodyCheck }, async (request, reply) =>
    reply.code(201).send(syncView(await save(newSyncId(), request.body))),
  );
  app.get('/syncs', { schema: { summary: 'List table syncs', tags, response: { 200: SyncListSchema } } }, async () => ({
    syncs: registry.list().map(syncView),
  }));
  app.get(
    '/syncs/:id',
    { schema: { summary: 'One table sync and its watermark', tags, params: IdParams, response: { 200: SyncDetailSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      const stored = find(request.params.id);
      const held = await ctx.store.getCursor(`sync:${stored.id}`);
      return { ...syncView(stored), watermark: held === undefined ? null : (JSON.parse(held) as Watermark) };
    },
  );
  app.put(
    '/syncs/:id',
    { schema: { summary: 'Create or replace a table sync', tags, params: IdParams, ...body, response: saved }, ...bodyCheck },
    async (request, reply) => {
      const existed = registry.get(request.params.id) !== undefined;
      return reply.code(existed ? 200 : 201).send(syncView(await save(request.params.id, request.body)));
    },
  );
  app.delete(
    '/syncs/:id',
    { schema: { summary: 'Delete a table sync', tags, params: IdParams, response: { 204: z.null().describe('Deleted'), ...ERROR_RESPONSES } } },
    async (request, reply) => {
      if (!(await registry.delete(request.params.id))) throw notFound(`sync ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/syncs/:id/run',
    { schema: { summary: 'Run the sync now and report what it read, applied and rejected', tags, params: IdParams, response: { 200: SyncReportSchema, ...ERROR_RESPONSES } } },
    async (request) => {
      find(request.params.id);
      return registry.run(request.params.id);
    },
  );
};

// The export stream over HTTP: NDJSON pages resumable by cursor, plus the optional exporter loop
// that appends the stream to an SQL table (LIQUIDHOOK_EXPORT_DB).
import { z } from 'zod';
import { exportConfigFrom } from '../../config/index.js';
import { createExporter, nextCursor, openExportSink, toNdjson } from '../../export/index.js';
import type { RoutePlugin } from '../context.js';

export const NEXT_CURSOR_HEADER = 'liquidhook-next-cursor';

const ExportQuery = z.object({
  since: z.coerce.number().int().min(0).default(0).describe('Cursor: the last seq already read (0: from the start)'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const registerExportRoutes: RoutePlugin = async (app, ctx) => {
  app.get(
    '/export/events',
    {
      schema: {
        summary: 'Engagement stream as NDJSON, resumable from a cursor',
        description:
          'Each line: {seq, type, at, external_id, campaign_id, delivery_id, data}. Resume with since=<Liquidhook-Next-Cursor>.',
        tags: ['export'],
        querystring: ExportQuery,
      },
    },
    async (request, reply) => {
      const { since, limit } = request.query;
      const events = await ctx.store.readExportEvents(since, limit);
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header(NEXT_CURSOR_HEADER, String(nextCursor(since, events)))
        .send(toNdjson(events));
    },
  );

  const settings = exportConfigFrom(ctx.env);
  if (!settings.LIQUIDHOOK_EXPORT_DB) return;
  const sink = await openExportSink(settings.LIQUIDHOOK_EXPORT_DB, settings.LIQUIDHOOK_EXPORT_TABLE);
  const exporter = createExporter({ store: ctx.store, sink, pollMs: settings.LIQUIDHOOK_EXPORT_POLL_MS, logger: ctx.logger });
  app.addHook('onReady', async () => exporter.start());
  app.addHook('onClose', async () => {
    await exporter.stop();
    await sink.close();
  });
};

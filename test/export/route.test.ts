// GET /export/events: NDJSON pages with a next-cursor header, resumable without loss or repeats.
import Fastify from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RouteContext, ZodApp } from '../../src/server/context.js';
import { errorHandler } from '../../src/server/errors.js';
import { registerExportRoutes } from '../../src/server/routes/export.js';
import { zodValidatorCompiler } from '../../src/server/validation.js';
import { openSqliteStore, NO_RULES } from '../../src/store/index.js';

const store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lh-export-route-')), 's.db') });
const app = Fastify();
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('GET /export/events', () => {
  it('pages the stream as NDJSON and resumes from the next cursor', async () => {
    app.setValidatorCompiler(zodValidatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.setErrorHandler(errorHandler);
    await registerExportRoutes(app as unknown as ZodApp, { store, env: {} } as unknown as RouteContext);
    for (let i = 0; i < 5; i++)
      await store.applyTrack({ attributes: [], events: [{ externalId: `u${i}`, name: 'e', time: new Date().toISOString(), properties: {} }], purchases: [] }, NO_RULES);

    const seen: number[] = [];
    let cursor = '0';
    for (let page = 0; page < 4; page++) {
      const res = await app.inject({ method: 'GET', url: `/export/events?since=${cursor}&limit=2` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = res.body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      seen.push(...lines.map((l) => l.seq));
      for (const line of lines) expect(Object.keys(line)).toEqual(['seq', 'type', 'at', 'external_id', 'campaign_id', 'delivery_id', 'data']);
      cursor = String(res.headers['liquidhook-next-cursor']);
    }
    const all = (await store.readExportEvents(0, 100)).map((e) => e.seq);
    expect(seen).toEqual(all);
    expect(cursor).toBe(String(all.at(-1)));
    const bad = await app.inject({ method: 'GET', url: '/export/events?limit=0' });
    expect(bad.statusCode).toBe(400);
  });
});

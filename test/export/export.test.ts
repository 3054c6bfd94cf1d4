// The export stream: NDJSON lines, cursor paging, and the exporter appending to an SQL table
// exactly once across restarts (a crash between the sink write and the cursor move included).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createExporter, nextCursor, openExportSink, toNdjson, type ExportSink } from '../../src/export/index.js';
import { openSqliteStore, type Store, NO_RULES } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lh-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function storeWithEvents(path: string, count: number, from = 0): Promise<Store> {
  const store = openSqliteStore({ path });
  for (let i = from; i < from + count; i++) {
    await store.applyTrack({ attributes: [{ externalId: `u${i}`, ops: { 'lead score': { op: 'set', value: i } } }], events: [], purchases: [] }, NO_RULES);
  }
  return store;
}

const sinkRows = (path: string) => {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT seq, type, external_id, data FROM liquidhook_events ORDER BY seq').all() as { seq: number; data: string }[];
  db.close();
  return rows;
};

describe('export stream format', () => {
  it('writes one JSON line per event with nulls for fields that do not apply, and the next cursor', async () => {
    const store = await storeWithEvents(join(dir, `s-${n++}.db`), 2);
    const page = await store.readExportEvents(0, 10);
    const lines = toNdjson(page).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      seq: page[0]!.seq,
      type: 'attribute_changed',
      at: expect.any(String),
      external_id: 'u0',
      campaign_id: null,
      delivery_id: null,
      data: { attribute: 'lead score', before: null, after: 0 },
    });
    expect(nextCursor(0, page)).toBe(page[1]!.seq);
    expect(nextCursor(7, [])).toBe(7);
    expect(toNdjson([])).toBe('');
    await store.close();
  });
});

describe('exporter to an SQL table', () => {
  it('copies every event once, resuming across restarts without loss or duplicates', async () => {
    const storePath = join(dir, `s-${n++}.db`);
    const sinkPath = join(dir, `sink-${n++}.db`);
    let store = await storeWithEvents(storePath, 5);
    let sink = await openExportSink(sinkPath);
    expect(await createExporter({ store, sink, batchSize: 2 }).runOnce()).toBe(5);
    await sink.close();
    await store.close();

    // Restart; more events arrive meanwhile.
    store = await storeWithEvents(storePath, 3, 5);
    sink = await openExportSink(sinkPath);
    expect(await createExporter({ store, sink, batchSize: 2 }).runOnce()).toBe(3);
    const rows = sinkRows(sinkPath);
    expect(rows.map((r) => r.seq)).toEqual((await store.readExportEvents(0, 100)).map((e) => e.seq));
    expect(rows).toHaveLength(8);
    await sink.close();
    await store.close();
  });

  it('a crash after the sink write but before the cursor move writes the page again, ignored by its key', async () => {
    const storePath = join(dir, `s-${n++}.db`);
    const sinkPath = join(dir, `sink-${n++}.db`);
    const store = await storeWithEvents(storePath, 4);
    const real = await openExportSink(sinkPath);
    let writes = 0;
    // The second page reaches the sink, then the "process dies" before the cursor moves.
    const crashing: ExportSink = {
      target: real.target,
      async write(events) {
        await real.write(events);
        if (++writes === 2) throw new Error('killed');
      },
      close: () => real.close(),
    };
    await expect(createExporter({ store, sink: crashing, batchSize: 2 }).runOnce()).rejects.toThrow('killed');
    expect(await store.getCursor(`export:${real.target}`)).toBe(String((await store.readExportEvents(0, 2)).at(-1)!.seq));
    expect(await createExporter({ store, sink: real, batchSize: 2 }).runOnce()).toBe(2);
    expect(sinkRows(sinkPath).map((r) => r.seq)).toEqual((await store.readExportEvents(0, 100)).map((e) => e.seq));
    await real.close();
    await store.close();
  });

  it('refuses a table name that is not a plain identifier', async () => {
    await expect(openExportSink(join(dir, 'x.db'), 'events; DROP TABLE x')).rejects.toThrow(/plain SQL identifier/);
  });
});

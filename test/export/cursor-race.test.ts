// Two exporters on the same stream and sink: the one that loses the compare-and-set on the
// cursor treats the page as exported by the other, re-reads the cursor and carries on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createExporter, openExportSink, type ExportSink } from '../../src/export/index.js';
import { CursorConflictError, openSqliteStore, type Store, NO_RULES } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lh-export-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function storeWithEvents(count: number): Promise<Store> {
  const store = openSqliteStore({ path: join(dir, `s-${n++}.db`) });
  for (let i = 0; i < count; i++)
    await store.applyTrack({ attributes: [{ externalId: `u${i}`, ops: { score: { op: 'set', value: i } } }], events: [], purchases: [] }, NO_RULES);
  return store;
}

const sinkSeqs = (path: string): number[] => {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT seq FROM liquidhook_events ORDER BY seq').all() as { seq: number }[];
  db.close();
  return rows.map((r) => r.seq);
};

function recordingLogger() {
  const debug: { obj: object; msg: string }[] = [];
  const error: { obj: object; msg: string }[] = [];
  return { debug: (obj: object, msg: string) => void debug.push({ obj, msg }), error: (obj: object, msg: string) => void error.push({ obj, msg }), lines: { debug, error } };
}

describe('exporter losing the cursor race', () => {
  it('re-reads the cursor, logs at debug and neither fails nor duplicates rows', async () => {
    const store = await storeWithEvents(5);
    const sinkPath = join(dir, `sink-${n++}.db`);
    const real = await openExportSink(sinkPath);
    const cursor = 'export:shared';
    let raced = false;
    // While the slow instance writes its first page, another instance exports everything.
    const slow: ExportSink = {
      target: real.target,
      async write(events) {
        await real.write(events);
        if (!raced) {
          raced = true;
          expect(await createExporter({ store, sink: real, cursor, batchSize: 100 }).runOnce()).toBe(5);
        }
      },
      close: () => real.close(),
    };
    const logger = recordingLogger();
    const written = await createExporter({ store, sink: slow, cursor, batchSize: 2, logger }).runOnce();

    expect(raced).toBe(true);
    expect(written).toBe(0); // every page was the other instance's
    expect(logger.lines.debug).toHaveLength(1);
    expect(logger.lines.debug[0]!.msg).toMatch(/another instance/);
    expect(logger.lines.error).toHaveLength(0);
    const all = (await store.readExportEvents(0, 100)).map((e) => e.seq);
    expect(await store.getCursor(cursor)).toBe(String(all.at(-1)));
    expect(sinkSeqs(sinkPath)).toEqual(all);
    await real.close();
    await store.close();
  });

  it('still fails on a conflict that left the cursor where it was (no other exporter moved it)', async () => {
    const store = await storeWithEvents(2);
    const sink = await openExportSink(join(dir, `sink-${n++}.db`));
    const stuck = new Proxy(store, {
      get(target, property) {
        if (property === 'moveCursor') return async () => {
          throw new CursorConflictError('export:x', null, null);
        };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await expect(createExporter({ store: stuck, sink, cursor: 'export:x' }).runOnce()).rejects.toBeInstanceOf(CursorConflictError);
    await sink.close();
    await store.close();
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, NO_RULES } from '../../src/store/index.js';
import { WalSyncer } from '../../src/store/sqlite/wal-sync.js';

const dir = mkdtempSync(join(tmpdir(), 'liquidhook-walsync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WalSyncer', () => {
  it('covers every commit made while an fsync runs with one more fsync', async () => {
    const path = join(dir, 'a-wal');
    writeFileSync(path, 'frames');
    const syncer = new WalSyncer(path);
    const first = syncer.sync();
    const rest = Array.from({ length: 9 }, () => syncer.sync());
    expect(syncer.stats.fsyncs).toBe(1);
    await Promise.all([first, ...rest]);
    expect(syncer.stats.fsyncs).toBe(2);
    await syncer.settled();
    expect(syncer.stats.fsyncs).toBe(2);
    await syncer.close();
  });

  it('rejects the waiting writers when the WAL cannot be opened', async () => {
    const syncer = new WalSyncer(join(dir, 'missing-wal'));
    await expect(syncer.sync()).rejects.toThrow(/ENOENT/);
    await syncer.close();
  });
});

describe('SQLite store with off-loop WAL sync', () => {
  it('answers concurrent writes after one shared fsync, and they are there after reopening', async () => {
    const path = join(dir, 'store.sqlite');
    const store = openSqliteStore({ path });
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.applyTrack({ attributes: [{ externalId: `u${i}`, ops: { n: { op: 'set', value: i } } }], events: [], purchases: [] }, NO_RULES),
    );
    await Promise.all(writes);
    const events = await store.readExportEvents(0, 100);
    expect(events.filter((e) => e.type === 'attribute_changed')).toHaveLength(20);
    await store.close();
    const reopened = openSqliteStore({ path });
    expect((await reopened.getProfile('u19'))?.attributes).toEqual({ n: 19 });
    await reopened.close();
  });
});

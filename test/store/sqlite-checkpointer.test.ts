import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/index.js';
import { noSends } from './contract-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'liquidhook-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeUsers(store: ReturnType<typeof openSqliteStore>, count: number): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    const attributes = Array.from({ length: 100 }, (_, k) => ({ externalId: `u${i + k}`, ops: { note: { op: 'set' as const, value: 'x'.repeat(200) } } }));
    await store.applyTrack({ attributes, events: [], purchases: [] }, noSends);
  }
}

describe('SQLite WAL checkpoints on a worker thread', () => {
  it('turns off the connection’s own checkpoint and still copies commits into the database file', async () => {
    const path = join(dir, 'a.sqlite');
    const store = openSqliteStore({ path });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    await writeUsers(store, 2000);
    // Only a checkpoint grows the database file itself (commits go to the WAL).
    const deadline = Date.now() + 10_000;
    while (statSync(path).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(path).size).toBeGreaterThan(before);
    await store.close();
  });

  it('closes cleanly, and everything committed is there when the file is opened again', async () => {
    const path = join(dir, 'b.sqlite');
    const store = openSqliteStore({ path });
    await writeUsers(store, 500);
    await store.close();
    const again = openSqliteStore({ path });
    expect((await again.getProfile('u499'))?.attributes.note).toBe('x'.repeat(200));
    await again.close();
  });

  it('leaves in-memory stores alone', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await store.close();
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations, openSqliteStore, openStore } from '../../src/store/index.js';
import { migrateDatabase } from '../../src/store/sqlite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'liquidhook-sqlite-'));
let n = 0;
const file = () => join(dir, `db-${n++}.sqlite`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite store specifics', () => {
  it('opens with WAL, foreign keys and a busy timeout; commits sync the WAL off the event loop', async () => {
    const store = openSqliteStore({ path: file(), busyTimeoutMs: 1234 });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    // NORMAL: the commit itself does not fsync; the store's WalSyncer does before answering.
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(1234);
    await store.close();
  });

  it('applies each migration once, however often it runs', async () => {
    const path = file();
    const store = openSqliteStore({ path });
    await store.migrate();
    await store.migrate();
    expect(migrateDatabase(store.db)).toEqual([]);
    const rows = store.db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[];
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    await store.close();
    const reopened = openSqliteStore({ path });
    expect((reopened.db.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n).toBe(migrations.length);
    await reopened.close();
  });

  it('migrates a fresh database to the latest version and reports what it applied', () => {
    const db = new Database(file());
    expect(migrateDatabase(db)).toEqual(migrations.map((m) => m.version));
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name);
    for (const table of ['profiles', 'events', 'purchases', 'campaigns', 'campaign_eligibility', 'deliveries', 'delivery_attempts', 'export_events']) {
      expect(tables).toContain(table);
    }
    db.close();
  });

  it('keeps committed data across close and reopen', async () => {
    const path = file();
    const store = openSqliteStore({ path });
    const { deliveries } = await store.applyTrack(
      { attributes: [{ externalId: 'u1', ops: { 'lead score': { op: 'set', value: 42 } } }], events: [], purchases: [] },
      (a) => [{ campaignId: 'c1', externalId: a.externalId, trigger: {} }],
    );
    await store.close();
    await expect(store.getProfile('u1')).rejects.toThrow(/closed/);
    const reopened = await openStore({ driver: 'sqlite', path });
    expect((await reopened.getProfile('u1'))?.attributes).toEqual({ 'lead score': 42 });
    expect((await reopened.getDelivery(deliveries[0]!.id))?.status).toBe('queued');
    await reopened.close();
  });

  it('loses nothing committed when the writing process is killed with SIGKILL', async () => {
    const path = file();
    const count = 20;
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/kill-writer.ts'), path, String(count)], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    const committed = stdout.split('\n').filter((line) => line.startsWith('committed')).length;
    expect(committed).toBe(count);
    const store = openSqliteStore({ path });
    for (let i = 0; i < count; i++) expect((await store.getProfile(`u${i}`))?.attributes).toEqual({ 'lead score': i });
    expect(await store.listDeliveries({ limit: 1000 })).toHaveLength(count);
    await store.close();
  }, 30_000);

  it('openStore refuses an unavailable driver with a clear message', async () => {
    await expect(openStore({ driver: 'postgres', url: 'postgres://localhost/x' })).rejects.toThrow(/PostgreSQL/);
  });
});

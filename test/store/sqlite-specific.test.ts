import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations, openSqliteStore, openStore } from '../../src/store/index.js';
import { SCHEMA_VERSION_TABLE } from '../../src/store/migrations.js';
import { migrateDatabase } from '../../src/store/sqlite/index.js';
import { sqliteDialect } from '../../src/store/sqlite/db.js';
import { noSends, sendOnce } from './contract-helpers.js';
import { OLD_MESSAGES, oldDeliveryRow } from './failure-code-backfill.js';

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
    for (const table of ['profiles', 'program_due', 'campaigns', 'campaign_eligibility', 'deliveries', 'delivery_attempts', 'export_events']) {
      expect(tables).toContain(table);
    }
    db.close();
  });

  it('moves program memberships of an older database into the profile rows and the due queue', async () => {
    const path = file();
    const old = new Database(path);
    old.exec(SCHEMA_VERSION_TABLE);
    for (const migration of migrations) {
      for (const statement of migration.statements(sqliteDialect)) old.exec(statement);
      old.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(migration.version, migration.name, '2026-01-01T00:00:00.000Z');
    }
    const at = '2026-01-01T00:00:00.000Z';
    for (const user of ['u1', 'u2']) old.prepare('INSERT INTO profiles VALUES (?, ?, ?, ?)').run(user, '{"lead score":5}', at, at);
    const member = old.prepare('INSERT INTO program_members VALUES (?, ?, ?, ?, ?)');
    member.run('p1', 'u1', at, '2026-02-01T00:00:00.000Z', at);
    member.run('p2', 'u1', at, null, at);
    member.run('p1', 'u2', at, '2026-01-15T00:00:00.000Z', at);
    old.close();

    const store = openSqliteStore({ path });
    expect(await store.listMemberships('u1')).toEqual([
      { programId: 'p1', externalId: 'u1', enteredAt: at, dueAt: '2026-02-01T00:00:00.000Z' },
      { programId: 'p2', externalId: 'u1', enteredAt: at, dueAt: null },
    ]);
    expect(await store.nextMembershipDueAt()).toEqual(new Date('2026-01-15T00:00:00.000Z'));
    // No program p1 any more: its due memberships end (in due order), p2's has no due time.
    const applied = await store.applyDueMemberships(new Date('2026-03-01T00:00:00.000Z'), 10, noSends);
    expect(applied.applied).toBe(2);
    expect(await store.listMemberships('u1')).toEqual([{ programId: 'p2', externalId: 'u1', enteredAt: at, dueAt: null }]);
    expect(store.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'program_members'`).get()).toBeUndefined();
    expect((await store.getProfile('u1'))?.attributes).toEqual({ 'lead score': 5 });
    // Profiles were rebuilt, keyed by id alone.
    expect(store.db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'profiles'`).get()).toMatchObject({ sql: expect.stringMatching(/WITHOUT ROWID/) });
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM profiles').get()).toEqual({ n: 2 });
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    await store.close();
  });

  it('gives deliveries of an older database the failure code their message names', async () => {
    const path = file();
    const old = new Database(path);
    old.exec(SCHEMA_VERSION_TABLE);
    for (const migration of migrations.filter((m) => m.version <= 6)) {
      for (const statement of migration.statements(sqliteDialect)) old.exec(statement);
      old.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(migration.version, migration.name, '2026-01-01T00:00:00.000Z');
    }
    OLD_MESSAGES.forEach((_, i) => {
      const { columns, values } = oldDeliveryRow(i);
      old.prepare(`INSERT INTO deliveries (${columns}) VALUES (${values.map(() => '?').join(', ')})`).run(...values);
    });
    old.close();
    const store = openSqliteStore({ path });
    const rows = await store.listDeliveries({ limit: 100 });
    expect(rows.map((d) => [d.lastError ?? null, d.failureCode ?? null]).reverse()).toEqual(OLD_MESSAGES);
    await store.close();
  });

  it('keeps committed data across close and reopen', async () => {
    const path = file();
    const store = openSqliteStore({ path });
    const { deliveries } = await store.applyTrack(
      { attributes: [{ externalId: 'u1', ops: { 'lead score': { op: 'set', value: 42 } } }], events: [], purchases: [] },
      sendOnce('c1'),
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

// Table sync from an SQLite file: watermark paging with ties at page boundaries, resume after a
// restart, rejected rows, scoring and campaign planning on the applied changes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseSyncConfig, runSync, type SyncConfigInput } from '../../src/ingest/sync/index.js';
import type { TrackBatch, CursorMove } from '../../src/domain/index.js';
import { createIntake, ScoringProgramRegistry, type ProgramSource } from '../../src/intake/index.js';
import { NO_RULES, openSqliteStore, type Store } from '../../src/store/index.js';
import { parseCampaign, type CampaignEntry } from '../../src/triggers/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lh-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const open: Store[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function crmDb(rows: [string | number | null, number | string | null, string | null, string?][]): string {
  const path = join(dir, `crm-${n++}.db`);
  const db = new Database(path);
  db.exec('CREATE TABLE leads (id TEXT, lead_score, updated_at TEXT, email TEXT)');
  const insert = db.prepare('INSERT INTO leads VALUES (?, ?, ?, ?)');
  for (const [id, score, updated, email] of rows) insert.run(id, score, updated, email ?? null);
  db.close();
  return path;
}

const config = (path: string, extra: Partial<SyncConfigInput> = {}) =>
  parseSyncConfig({
    name: 'CRM leads',
    source: { kind: 'sqlite', path },
    table: 'leads',
    external_id_column: 'id',
    columns: [
      { column: 'lead_score', attribute: 'lead score', type: 'number' },
      { column: 'email', attribute: 'email' },
    ],
    batch_size: 2,
    ...extra,
  });

const storeAt = (path: string) => {
  const store = openSqliteStore({ path });
  open.push(store);
  return store;
};
/** The intake syncs go through; the users of each applied page are added to `applied`. */
function intakeOf(store: Store, applied: string[] = [], campaigns: CampaignEntry[] = [], scoring?: ProgramSource) {
  const intake = createIntake({ store, campaigns: { campaignEntries: () => campaigns }, ...(scoring ? { scoring } : {}) });
  return {
    async sync(batch: TrackBatch, cursor: CursorMove) {
      const result = await intake.sync(batch, cursor);
      applied.push(...result.activities.map((a) => a.externalId));
      return result;
    },
  };
}

describe('table sync', () => {
  it('pages by (updated_at, id): ties at a page boundary are neither skipped nor repeated', async () => {
    const source = crmDb([
      ['a', 10, '2030-01-01T00:00:01Z'],
      ['b', 20, '2030-01-01T00:00:02Z'],
      ['c', 30, '2030-01-01T00:00:02Z'],
      ['d', 40, '2030-01-01T00:00:02Z'],
      ['e', 50, '2030-01-01T00:00:03Z'],
    ]);
    const store = storeAt(join(dir, `store-${n++}.db`));
    const seen: string[] = [];
    const report = await runSync(intakeOf(store, seen), store, 's1', config(source));
    expect(report).toEqual({
      rows_read: 5,
      rows_applied: 5,
      rows_rejected: 0,
      watermark: { updated_at: '2030-01-01T00:00:03Z', external_id: 'e' },
      errors: [],
    });
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await store.getProfile('c'))?.attributes).toEqual({ 'lead score': 30 });
    const again = await runSync(intakeOf(store), store, 's1', config(source));
    expect(again.rows_read).toBe(0);
  });

  it('resumes after a restart from the committed watermark, including rows added with the same timestamp', async () => {
    const source = crmDb([
      ['a', 1, '2030-01-01T00:00:01Z'],
      ['b', 2, '2030-01-01T00:00:02Z'],
      ['c', 3, '2030-01-01T00:00:02Z'],
    ]);
    const storePath = join(dir, `store-${n++}.db`);
    const stopped = storeAt(storePath);
    const first = await runSync(intakeOf(stopped), stopped, 's1', config(source), { maxRows: 2 });
    expect(first.watermark).toEqual({ updated_at: '2030-01-01T00:00:02Z', external_id: 'b' });
    await open.pop()!.close();

    // While stopped: a row with the boundary timestamp and a later id, one with an earlier id (already past), and an update.
    const db = new Database(source);
    db.prepare('INSERT INTO leads VALUES (?, ?, ?, ?)').run('bb', 22, '2030-01-01T00:00:02Z', null);
    db.prepare('INSERT INTO leads VALUES (?, ?, ?, ?)').run('aa', 11, '2030-01-01T00:00:02Z', null);
    db.prepare('UPDATE leads SET lead_score = 100, updated_at = ? WHERE id = ?').run('2030-01-01T00:00:05Z', 'a');
    db.close();

    const store = storeAt(storePath);
    const applied: string[] = [];
    const second = await runSync(intakeOf(store, applied), store, 's1', config(source));
    expect(applied).toEqual(['bb', 'c', 'a']);
    expect(second.rows_read).toBe(3);
    expect((await store.getProfile('a'))?.attributes['lead score']).toBe(100);
    // 'aa' sorts before the watermark (same timestamp, smaller id): it was not changed after the sync passed it.
    expect(await store.getProfile('aa')).toBeUndefined();
  });

  it('rejects bad rows with a reason and applies the rest', async () => {
    const source = crmDb([
      ['a', 'not a number', '2030-01-01T00:00:01Z'],
      [null, 5, '2030-01-01T00:00:02Z'],
      ['c', '42', '2030-01-01T00:00:03Z', 'c@example.com'],
      ['d', null, '2030-01-01T00:00:04Z'],
      ['e', 7, null],
    ]);
    const store = storeAt(join(dir, `store-${n++}.db`));
    await store.applyTrack({ attributes: [{ externalId: 'd', ops: { 'lead score': { op: 'set', value: 9 } } }], events: [], purchases: [] }, NO_RULES);
    const report = await runSync(intakeOf(store), store, 's1', config(source));
    expect(report.rows_read).toBe(4); // NULL updated_at is never read
    expect(report.rows_applied).toBe(2);
    expect(report.rows_rejected).toBe(2);
    expect(report.errors).toEqual([
      { row: 'a', message: 'lead_score: "not a number" is not a number' },
      { row: '#2', message: 'external id null is not a non-empty text or integer' },
    ]);
    expect((await store.getProfile('c'))?.attributes).toEqual({ 'lead score': 42, email: 'c@example.com' });
    expect((await store.getProfile('d'))?.attributes).toEqual({}); // NULL unsets
    expect(report.watermark).toEqual({ updated_at: '2030-01-01T00:00:04Z', external_id: 'd' });
  });

  it('fires campaign triggers and scoring entry on synced changes', async () => {
    const source = crmDb([['lead-1', 150, '2030-01-01T00:00:01Z', 'x@example.com']]);
    const store = storeAt(join(dir, `store-${n++}.db`));
    const registry = new ScoringProgramRegistry(store);
    await registry.put('p1', {
      name: 'P',
      entry: { attribute_changes: ['email'] },
      action_groups: [{ name: 'demo', events: [{ name: 'demo_requested' }], points: 30 }],
      inactivity: { window_days: 30, points: -10 },
    });
    const campaign = parseCampaign({
      name: 'MQL',
      trigger: { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' },
      webhook: { url: 'https://example.com/x', method: 'POST', body: { type: 'raw', text: '{}' } },
    });
    const report = await runSync(intakeOf(store, [], [{ id: 'mql', campaign }], registry), store, 's1', config(source));
    expect(report.rows_applied).toBe(1);
    expect((await store.listDeliveries({ campaignId: 'mql' })).map((d) => d.externalId)).toEqual(['lead-1']);
    expect((await store.listMemberships('lead-1')).map((m) => m.programId)).toEqual(['p1']);
  });

  it('reports a missing source file or table as a run error', async () => {
    const store = storeAt(join(dir, `store-${n++}.db`));
    const missing = await runSync(intakeOf(store), store, 's1', config(join(dir, 'nope.db')));
    expect(missing.errors[0]!.message).toMatch(/run stopped/);
    const noTable = await runSync(intakeOf(store), store, 's2', config(crmDb([]), { table: 'contacts' }));
    expect(noTable.errors[0]!.message).toMatch(/no such table: contacts/);
  });

  it('validates the mapping with paths', () => {
    expect(() =>
      parseSyncConfig({
        name: 'x',
        source: { kind: 'sqlite', path: 'a.db' },
        table: 'leads; DROP TABLE x',
        columns: [{ column: 'updated_at', attribute: 'u' }],
      }),
    ).toThrow(/table: must be a table or view name[\s\S]*columns\[0\]\.column: updated_at is the id or watermark column/);
  });
});

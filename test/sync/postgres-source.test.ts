// Table sync and export sink against a throwaway PostgreSQL (skipped without server binaries):
// microsecond timestamps and ties survive the watermark; sink rows are written once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createExporter, openExportSink } from '../../src/export/index.js';
import { parseSyncConfig, runSync } from '../../src/ingest/sync/index.js';
import { createIntake } from '../../src/intake/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { postgresAvailable } from '../support/postgres.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';

describe.skipIf(!postgresAvailable('PostgreSQL sync source'))('PostgreSQL sync source and export sink', () => {
  const cluster = usePostgresCluster();

  it('pages by a microsecond timestamptz watermark with ties, across runs', async () => {
    const client = new pg.Client({ connectionString: cluster().url });
    await client.connect();
    await client.query('CREATE TABLE leads (id BIGINT, lead_score NUMERIC, updated_at TIMESTAMPTZ)');
    await client.query(`INSERT INTO leads VALUES
      (1, 10, '2030-01-01 00:00:00.000001+00'), (2, 20, '2030-01-01 00:00:00.000002+00'),
      (3, 30, '2030-01-01 00:00:00.000002+00'), (10, 40, '2030-01-01 00:00:00.000002+00')`);
    const store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lh-pgsync-')), 's.db') });
    const intake = createIntake({ store, campaigns: { campaignEntries: () => [] } });
    const config = parseSyncConfig({
      name: 'pg leads',
      source: { kind: 'postgres', url: cluster().url },
      table: 'leads',
      external_id_column: 'id',
      columns: [{ column: 'lead_score', attribute: 'lead score', type: 'number' }],
      batch_size: 2,
    });
    const first = await runSync(intake, store, 'pg', config, { maxRows: 2 });
    expect(first.rows_applied).toBe(2);
    await client.query(`INSERT INTO leads VALUES (11, 50, '2030-01-01 00:00:00.000002+00')`);
    const second = await runSync(intake, store, 'pg', config);
    expect(second).toMatchObject({ rows_read: 3, rows_applied: 3, rows_rejected: 0, errors: [] });
    // Numeric order of the BIGINT id: 10 and 11 come after 3.
    expect(second.watermark).toEqual({ updated_at: expect.stringContaining('00:00:00.000002'), external_id: '11' });
    for (const [id, score] of [['1', 10], ['3', 30], ['10', 40], ['11', 50]] as const)
      expect((await store.getProfile(id))?.attributes['lead score']).toBe(score);
    expect((await runSync(intake, store, 'pg', config)).rows_read).toBe(0);

    const sink = await openExportSink(cluster().url, 'lh_events');
    expect(await createExporter({ store, sink, cursor: 'export:pg' }).runOnce()).toBeGreaterThan(0);
    await sink.write(await store.readExportEvents(0, 3)); // a repeated page is ignored
    const { rows } = await client.query('SELECT count(*)::int AS n FROM lh_events');
    expect(rows[0].n).toBe((await store.readExportEvents(0, 1000)).length);
    await sink.close();
    await client.end();
    await store.close();
  }, 60_000);
});

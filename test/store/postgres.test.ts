// The shared Store contract against PostgreSQL, on a throwaway cluster (skipped without binaries).
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrations, openStore } from '../../src/store/index.js';
import { SCHEMA_VERSION_TABLE } from '../../src/store/migrations.js';
import { postgresDialect } from '../../src/store/postgres/index.js';
import { OLD_MESSAGES, oldDeliveryRow } from './failure-code-backfill.js';
import { postgresAvailable } from '../support/postgres.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { runStoreContract } from './contract.js';

const available = postgresAvailable('PostgreSQL store contract');

describe.skipIf(!available)('PostgreSQL backend', () => {
  const cluster = usePostgresCluster();

  // Each contract test gets its own empty database, opened through the public entry point.
  runStoreContract('postgres', async () => openStore({ driver: 'postgres', url: await cluster().createDatabase(), poolSize: 4 }));

  it('gives deliveries of an older database the failure code their message names', async () => {
    const url = await cluster().createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(SCHEMA_VERSION_TABLE);
      for (const migration of migrations.filter((m) => m.version <= 6)) {
        for (const statement of migration.statements(postgresDialect)) await client.query(statement);
        await client.query('INSERT INTO schema_version VALUES ($1, $2, $3)', [migration.version, migration.name, '2026-01-01T00:00:00.000Z']);
      }
      for (let i = 0; i < OLD_MESSAGES.length; i++) {
        const { columns, values } = oldDeliveryRow(i);
        await client.query(`INSERT INTO deliveries (${columns}) VALUES (${values.map((_, n) => `$${n + 1}`).join(', ')})`, values);
      }
    } finally {
      await client.end();
    }
    const store = await openStore({ driver: 'postgres', url, poolSize: 2 });
    const rows = await store.listDeliveries({ limit: 100 });
    expect(rows.map((d) => [d.lastError ?? null, d.failureCode ?? null]).reverse()).toEqual(OLD_MESSAGES);
    await store.close();
  });
});

describe('PostgreSQL store configuration', () => {
  it('refuses a URL that is not postgres:// without echoing its password', async () => {
    const opening = openStore({ driver: 'postgres', url: 'mysql://app:s3cret@db.internal/app' });
    await expect(opening).rejects.toThrow(/must start with postgres:\/\/ or postgresql:\/\/.*app:\*\*\*@db\.internal/);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });

  it('refuses a pool size that is not a positive integer', async () => {
    await expect(openStore({ driver: 'postgres', url: 'postgres://127.0.0.1:1/x', poolSize: 0 })).rejects.toThrow(/poolSize/);
  });

  it('names the database (password hidden) when it cannot connect', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const opening = openStore({ driver: 'postgres', url: 'postgres://app:s3cret@127.0.0.1:1/app' });
    await expect(opening).rejects.toThrow(/could not open the PostgreSQL store at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: .*ECONNREFUSED/);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });
});

// The shared Store contract against PostgreSQL, on a throwaway cluster (skipped without binaries).
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { postgresAvailable, startPostgres, type PostgresCluster } from '../support/postgres.js';
import { runStoreContract } from './contract.js';

const available = postgresAvailable('PostgreSQL store contract');

describe.skipIf(!available)('PostgreSQL backend', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  // Each contract test gets its own empty database, opened through the public entry point.
  runStoreContract('postgres', async () => openStore({ driver: 'postgres', url: await cluster.createDatabase(), poolSize: 4 }));
});

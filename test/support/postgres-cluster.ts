// One throwaway PostgreSQL cluster for a describe block: started before its tests, stopped after.
// Separate from postgres.ts, which the benches import without vitest.
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PostgresCluster } from './postgres.js';

/** Registers the cluster's start and stop hooks; the getter reads it inside tests. */
export function usePostgresCluster(): () => PostgresCluster {
  let cluster: PostgresCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('the PostgreSQL cluster has not started');
    return cluster;
  };
}

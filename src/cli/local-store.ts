// Opens the local database for commands that work without a running service.
import { existsSync } from 'node:fs';
import { isSqliteFile } from '../config/index.js';
import type { Store } from '../store/index.js';
import { CodedError } from '../errors/index.js';
import { describeDb } from './env.js';

/** Runs `work` with the store open and closes it afterwards. Never creates a database. */
export async function withLocalStore<T>(db: string, work: (store: Store) => Promise<T>): Promise<T> {
  if (isSqliteFile(db) && !existsSync(db)) {
    throw new CodedError('LH_DB_UNAVAILABLE', `database ${db} does not exist (set LIQUIDHOOK_DB or LIQUIDHOOK_DATABASE_URL, or LIQUIDHOOK_URL to use a running service)`);
  }
  // Loaded on demand: commands that never touch a database skip the drivers.
  const { openStore } = await import('../store/index.js');
  const fail = (error: unknown): CodedError =>
    new CodedError('LH_DB_UNAVAILABLE', `cannot open database ${describeDb(db)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  let store: Store;
  try {
    store = await openStore(isSqliteFile(db) || db === ':memory:' ? { driver: 'sqlite', path: db } : { driver: 'postgres', url: db });
  } catch (error) {
    throw fail(error);
  }
  try {
    // The service migrates on start; a CLI run against an older file must see the same schema.
    await store.migrate().catch((error: unknown) => {
      throw fail(error);
    });
    return await work(store);
  } finally {
    await store.close();
  }
}

// Storage entry point: the ports (the storage contract) and the backends behind them. The domain
// types they speak are in src/domain.
export type * from './ports.js';
export { NO_RULES } from './ports.js';
export { DatabaseOwnedError, openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
export {
  handleClientErrors,
  openPostgresStore,
  PostgresStore,
  startInstanceHeartbeat,
  type InstanceHeartbeat,
  type PostgresStoreOptions,
  type RecordOptions,
} from './postgres/index.js';
export { migrations, type Migration, type SqlDialect } from './migrations.js';
export { newTimeOrderedId, newIdempotencyKey } from './ids.js';
export { CursorConflictError } from './errors.js';
export { isStoreUnavailable } from './unavailable.js';
import { openPostgresStore } from './postgres/index.js';
import { openSqliteStore } from './sqlite/index.js';
import type { Store } from './ports.js';

export type StoreConfig =
  | { driver: 'sqlite'; path: string; busyTimeoutMs?: number; now?: () => Date; owner?: boolean }
  | { driver: 'postgres'; url: string; poolSize?: number };

/** Opens the configured backend. */
export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.driver) {
    case 'sqlite':
      return openSqliteStore(config);
    case 'postgres':
      return openPostgresStore({ url: config.url, poolSize: config.poolSize });
    default: {
      const unknown: never = config;
      throw new Error(`unknown store driver ${JSON.stringify(unknown)}`);
    }
  }
}

// Connecting to PostgreSQL, running work in transactions, and applying migrations once even when
// several instances start together (a session advisory lock serialises the migrators).
import pg from 'pg';
import { migrations, SCHEMA_VERSION_TABLE, type Migration, type SqlDialect } from '../migrations.js';

export const postgresDialect: SqlDialect = {
  serialPrimaryKey: 'BIGSERIAL PRIMARY KEY',
  // JSON (not JSONB) keeps attribute key order exactly as written, like the SQLite backend.
  json: 'JSON',
  float: 'DOUBLE PRECISION',
};

/** Advisory lock keys (64-bit, per database) of the store's cluster-wide critical sections. */
export const LOCK_KEYS = {
  migrate: '7306940370290081793',
  publishExports: '7306940370290081794',
} as const;

/**
 * PostgreSQL-only additions, versioned in their own table so the shared list stays the single
 * history of the common schema. Applied after the shared migrations.
 */
export const postgresMigrations: Migration[] = [
  {
    version: 1,
    name: 'export stream positions assigned in commit order',
    statements: () => [
      // `seq` is taken at insert time, so it is not in commit order under concurrent writers;
      // `pos` is assigned to committed rows only, by one publisher at a time (see exports.ts).
      `ALTER TABLE export_events ADD COLUMN pos BIGINT`,
      `CREATE UNIQUE INDEX export_events_by_pos ON export_events (pos) WHERE pos IS NOT NULL`,
      `CREATE INDEX export_events_unpublished ON export_events (seq) WHERE pos IS NULL`,
    ],
  },
  {
    version: 2,
    name: 'instances and their heartbeats',
    statements: () => [
      // One row per running instance, its heartbeat written by the database clock; the leases of
      // an instance silent for longer than its own silent_after_ms are taken over by the others
      // (instances.ts).
      `CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        heartbeat_at TIMESTAMPTZ NOT NULL,
        silent_after_ms INTEGER NOT NULL
      )`,
    ],
  },
];

const POSTGRES_VERSION_TABLE = SCHEMA_VERSION_TABLE.replace('schema_version', 'postgres_schema_version');

export interface PostgresPoolOptions {
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Longest wait for a connection, new or from the pool, before the query fails (default 10 s). */
  connectTimeoutMs?: number;
  /** Longest wait for a query's answer (default: none). */
  queryTimeoutMs?: number;
}

/**
 * Every client of the pool keeps an 'error' listener for its whole life. A server restart ends
 * every session (57P01, then "Connection terminated unexpectedly"); the pool only listens on
 * idle clients, and a client checked out for a transaction or the export read would otherwise
 * crash the process with an unhandled 'error' event. The query in progress fails with the error
 * anyway, and the pool discards the broken client when it is released.
 */
export function handleClientErrors(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export function createPool(options: PostgresPoolOptions): pg.Pool {
  if (!/^postgres(ql)?:\/\//.test(options.url)) {
    throw new Error(`PostgreSQL URL must start with postgres:// or postgresql:// (got ${JSON.stringify(redactUrl(options.url))})`);
  }
  const max = options.poolSize ?? 10;
  if (!Number.isInteger(max) || max < 1) throw new Error(`poolSize must be a positive integer (got ${max})`);
  // A broken connection is dropped by the pool and replaced on the next query.
  return handleClientErrors(
    new pg.Pool({
      connectionString: options.url,
      max,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      ...(options.queryTimeoutMs !== undefined ? { query_timeout: options.queryTimeoutMs } : {}),
    }),
  );
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock detected

/** A failure inTransaction answers by running the whole transaction again. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code !== undefined && RETRYABLE.has(code);
}

/**
 * Runs `fn` in a READ COMMITTED transaction. A deadlock or serialization failure rolls back and
 * runs it again (everything it does is inside the transaction, so a retry is safe).
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      if (attempt >= attempts || !isRetryable(error)) throw error;
    } finally {
      client.release(broken);
    }
  }
}

async function applyList(
  client: pg.PoolClient,
  table: string,
  list: Migration[],
  now: () => Date,
): Promise<number[]> {
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${table}`);
  const applied = new Set(rows.map((r) => r.version));
  const done: number[] = [];
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    await client.query('BEGIN');
    try {
      for (const statement of migration.statements(postgresDialect)) await client.query(statement);
      await client.query(`INSERT INTO ${table} (version, name, applied_at) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        now().toISOString(),
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw new Error(`migration ${table} v${migration.version} (${migration.name}) failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    done.push(migration.version);
  }
  return done;
}

/**
 * Applies pending shared then PostgreSQL-only migrations. Concurrent callers (other processes
 * included) wait on one advisory lock, so each migration runs exactly once.
 * Returns the versions this call applied.
 */
export async function migratePostgres(
  pool: pg.Pool,
  now: () => Date = () => new Date(),
): Promise<{ shared: number[]; postgres: number[] }> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEYS.migrate]);
    await client.query(SCHEMA_VERSION_TABLE);
    await client.query(POSTGRES_VERSION_TABLE);
    const shared = await applyList(client, 'schema_version', migrations, now);
    const postgres = await applyList(client, 'postgres_schema_version', postgresMigrations, now);
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEYS.migrate]);
    client.release();
    return { shared, postgres };
  } catch (error) {
    // Destroying the connection ends its session, which releases the advisory lock too.
    client.release(true);
    throw error;
  }
}

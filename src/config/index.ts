// Loads and validates the service configuration from the environment.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../errors/index.js';
import { EnvSchema, type ServiceConfig } from './schema.js';

export { EnvSchema, LOG_FORMATS, LOG_LEVELS, MIB, type LogFormat, type ServiceConfig } from './schema.js';
export { configVariables, renderConfigTable, type ConfigVariable } from './table.js';
export { ExportEnvSchema, exportConfigFrom, checkTableName, type ExportEnv } from './export.js';

export class ConfigError extends CodedError {
  constructor(public readonly problems: string[]) {
    super('LH_CONFIG_INVALID', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates `env` (default: process.env); throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServiceConfig {
  const keys = Object.keys(EnvSchema.shape) as (keyof typeof EnvSchema.shape)[];
  const relevant: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    // An empty variable means "not set", so defaults apply (common in compose files).
    if (value !== undefined && value.trim() !== '') relevant[key] = value;
  }
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, relevant));
  const e = parsed.data;
  if (e.LIQUIDHOOK_LEASE_MS <= e.LIQUIDHOOK_WEBHOOK_TIMEOUT_MS) {
    // A lease shorter than one send lets another claimer start the same delivery again.
    throw new ConfigError([
      `LIQUIDHOOK_LEASE_MS (${e.LIQUIDHOOK_LEASE_MS}) must be greater than LIQUIDHOOK_WEBHOOK_TIMEOUT_MS (${e.LIQUIDHOOK_WEBHOOK_TIMEOUT_MS})`,
    ]);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    db: e.LIQUIDHOOK_DATABASE_URL ?? e.LIQUIDHOOK_DB,
    dbPoolSize: e.LIQUIDHOOK_DATABASE_POOL_SIZE,
    apiKey: e.LIQUIDHOOK_API_KEY,
    allowedHosts: e.LIQUIDHOOK_ALLOWED_HOSTS,
    templatesDir: e.LIQUIDHOOK_TEMPLATES_DIR,
    worker: {
      batchSize: e.LIQUIDHOOK_WORKER_BATCH,
      concurrency: e.LIQUIDHOOK_WORKER_CONCURRENCY,
      pollMs: e.LIQUIDHOOK_POLL_MS,
      leaseMs: e.LIQUIDHOOK_LEASE_MS,
    },
    heartbeatMs: e.LIQUIDHOOK_HEARTBEAT_MS,
    webhookTimeoutMs: e.LIQUIDHOOK_WEBHOOK_TIMEOUT_MS,
    maxConcurrencyPerHost: e.LIQUIDHOOK_MAX_PER_HOST,
    retryWindowMs: e.LIQUIDHOOK_RETRY_WINDOW_MS,
    shutdownGraceMs: e.LIQUIDHOOK_SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LIQUIDHOOK_LOG_FORMAT,
    bodyLimitBytes: e.LIQUIDHOOK_BODY_LIMIT_BYTES,
    http: {
      requestTimeoutMs: e.LIQUIDHOOK_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.LIQUIDHOOK_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: e.LIQUIDHOOK_KEEP_ALIVE_TIMEOUT_MS,
    },
    rateLimitPerMinute: e.LIQUIDHOOK_RATE_LIMIT,
    metricsPublic: e.LIQUIDHOOK_METRICS_PUBLIC,
    dispatchThread: e.LIQUIDHOOK_DISPATCH_THREAD,
    trustProxy: e.LIQUIDHOOK_TRUST_PROXY,
    catalogRefreshMs: e.LIQUIDHOOK_CATALOG_REFRESH_MS,
    render: {
      threads: e.LIQUIDHOOK_RENDER_THREADS,
      queue: e.LIQUIDHOOK_RENDER_QUEUE,
      timeoutMs: e.LIQUIDHOOK_RENDER_TIMEOUT_MS,
      memoryMb: e.LIQUIDHOOK_RENDER_MEMORY_MB,
    },
    dryRun: { concurrent: e.LIQUIDHOOK_DRY_RUNS, timeoutMs: e.LIQUIDHOOK_DRY_RUN_TIMEOUT_MS },
  };
}

function describeIssues(error: z.ZodError, given: Record<string, string>): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const value = given[name];
    // Never echo a secret back into logs.
    const shown = value === undefined || /KEY|SECRET|PASSWORD/.test(name) ? '' : ` (got ${JSON.stringify(value)})`;
    return `${name}: ${issue.message}${shown}`;
  });
}

/** True when the DB setting is a file path (not a URL or in-memory database). */
export function isSqliteFile(db: string): boolean {
  return db !== ':memory:' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(db);
}

/** Creates the folder that will hold the SQLite file. */
export function ensureDbFolder(db: string): void {
  if (isSqliteFile(db)) mkdirSync(dirname(resolve(db)), { recursive: true });
}

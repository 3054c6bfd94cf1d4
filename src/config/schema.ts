// The service configuration, read from environment variables. The zod schema is the single
// source of truth: defaults, coercion, the error messages a wrong value produces, and (through
// each variable's description) the configuration table of the README and `liquidhook help`.
import { z } from 'zod';

const positiveInt = (name: string, fallback: number, description: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be greater than 0`)
    .default(fallback)
    .describe(description);

const nonNegativeInt = (name: string, fallback: number, description: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(0, `${name} must be 0 or more`)
    .default(fallback)
    .describe(description);

const flag = (name: string, description: string, byDefault = false) =>
  z.stringbool({ error: `${name} must be true or false` }).default(byDefault).describe(description);

const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const MIB = 1024 * 1024;

export const EnvSchema = z.object({
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int('PORT must be a whole number')
    .min(0, 'PORT must be between 0 and 65535')
    .max(65535, 'PORT must be between 0 and 65535')
    .default(3000)
    .describe('TCP port of the HTTP API (0 picks a free port)'),
  // Loopback unless the operator opts in: the API holds profile data and can send webhooks.
  HOST: z
    .string()
    .trim()
    .min(1)
    .default('127.0.0.1')
    .describe('Interface to listen on; set 0.0.0.0 to accept connections from other machines'),
  LIQUIDHOOK_DB: z
    .string()
    .trim()
    .min(1)
    .default('./data/liquidhook.db')
    .describe('SQLite file path, :memory:, or a postgres:// URL'),
  LIQUIDHOOK_DATABASE_URL: optionalText
    .pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'LIQUIDHOOK_DATABASE_URL must be a postgres:// or postgresql:// URL')
        .optional(),
    )
    .describe('PostgreSQL URL (postgres://user:pass@host/db); when set it replaces LIQUIDHOOK_DB and several instances may share it'),
  LIQUIDHOOK_DATABASE_POOL_SIZE: positiveInt('LIQUIDHOOK_DATABASE_POOL_SIZE', 10, 'PostgreSQL connections per instance'),
  LIQUIDHOOK_API_KEY: optionalText
    .pipe(z.string().min(16, 'LIQUIDHOOK_API_KEY must be at least 16 characters').optional())
    .describe('API key for "Authorization: Bearer <key>" (16+ characters); unset: one is generated and printed once'),
  LIQUIDHOOK_ALLOWED_HOSTS: optionalText.describe(
    'Comma-separated hostnames (*.example.com allowed), IPs or CIDR ranges that webhooks and connected_content may reach even at private addresses (SSRF guard exemptions)',
  ),
  LIQUIDHOOK_TEMPLATES_DIR: z
    .string()
    .trim()
    .min(1)
    .default('./templates')
    .describe('Folder of *.webhook.liquid files loaded as campaigns at start'),
  LIQUIDHOOK_WORKER_BATCH: positiveInt('LIQUIDHOOK_WORKER_BATCH', 100, 'Deliveries claimed per round and outcomes per commit, at most'),
  LIQUIDHOOK_WORKER_CONCURRENCY: positiveInt('LIQUIDHOOK_WORKER_CONCURRENCY', 64, 'Webhook sends in flight at once'),
  LIQUIDHOOK_MAX_PER_HOST: positiveInt(
    'LIQUIDHOOK_MAX_PER_HOST',
    16,
    'Most sends in flight per destination host (429 answers lower it for a while); more wait in line (protects CRM API limits)',
  ),
  LIQUIDHOOK_DISPATCH_THREAD: flag(
    'LIQUIDHOOK_DISPATCH_THREAD',
    'Render and send the webhooks of the delivery worker on a second thread (its own Liquid engine and HTTP client), beside the event loop that takes the API and writes the store',
    true,
  ),
  LIQUIDHOOK_POLL_MS: positiveInt(
    'LIQUIDHOOK_POLL_MS',
    1000,
    'Longest worker sleep when nothing is due; bounds how late sends enqueued by another process start',
  ),
  LIQUIDHOOK_LEASE_MS: positiveInt(
    'LIQUIDHOOK_LEASE_MS',
    120_000,
    'How long a claimed delivery stays with its worker before another may take it; must exceed the webhook timeout',
  ),
  LIQUIDHOOK_HEARTBEAT_MS: positiveInt(
    'LIQUIDHOOK_HEARTBEAT_MS',
    2000,
    'PostgreSQL: how often an instance records that it is alive (database clock); the others take over the leased sends of an instance silent for 5 heartbeats',
  ),
  LIQUIDHOOK_WEBHOOK_TIMEOUT_MS: positiveInt(
    'LIQUIDHOOK_WEBHOOK_TIMEOUT_MS',
    90_000,
    'Time allowed for one webhook request (Braze waits 90 s)',
  ),
  LIQUIDHOOK_RETRY_WINDOW_MS: positiveInt(
    'LIQUIDHOOK_RETRY_WINDOW_MS',
    30 * 60_000,
    'How long a failing webhook is retried before it is dead (Braze retries for 30 minutes)',
  ),
  LIQUIDHOOK_SHUTDOWN_GRACE_MS: positiveInt(
    'LIQUIDHOOK_SHUTDOWN_GRACE_MS',
    10_000,
    'On SIGTERM, how long sends in flight may finish before they are handed back',
  ),
  LIQUIDHOOK_BODY_LIMIT_BYTES: positiveInt(
    'LIQUIDHOOK_BODY_LIMIT_BYTES',
    MIB,
    'Largest accepted request body in bytes; larger requests get 413',
  ),
  LIQUIDHOOK_REQUEST_TIMEOUT_MS: positiveInt(
    'LIQUIDHOOK_REQUEST_TIMEOUT_MS',
    30_000,
    'Time a client has to send a whole request (headers and body); a slower one gets 408 and is disconnected',
  ),
  LIQUIDHOOK_HEADERS_TIMEOUT_MS: positiveInt(
    'LIQUIDHOOK_HEADERS_TIMEOUT_MS',
    10_000,
    'Time a client has to send the request headers (at most the request timeout)',
  ),
  LIQUIDHOOK_KEEP_ALIVE_TIMEOUT_MS: positiveInt(
    'LIQUIDHOOK_KEEP_ALIVE_TIMEOUT_MS',
    72_000,
    'How long an idle keep-alive connection stays open; keep it above the idle timeout of a load balancer in front',
  ),
  LIQUIDHOOK_RATE_LIMIT: nonNegativeInt(
    'LIQUIDHOOK_RATE_LIMIT',
    6000,
    'API requests per minute for the API key (unauthenticated requests: per client address); 0 turns the limit off; /health is exempt',
  ),
  LIQUIDHOOK_METRICS_PUBLIC: flag('LIQUIDHOOK_METRICS_PUBLIC', 'Serve /metrics without the API key (for a Prometheus scraper)'),
  LIQUIDHOOK_TRUST_PROXY: flag(
    'LIQUIDHOOK_TRUST_PROXY',
    'Take the client address from X-Forwarded-For (set behind a reverse proxy; affects rate limiting and logs)',
  ),
  LIQUIDHOOK_RENDER_THREADS: positiveInt(
    'LIQUIDHOOK_RENDER_THREADS',
    2,
    'Threads that render previews, test sends and editor previews, away from the event loop that answers the API',
  ),
  LIQUIDHOOK_RENDER_QUEUE: nonNegativeInt(
    'LIQUIDHOOK_RENDER_QUEUE',
    16,
    'Previews and test sends that may wait for a free render thread; past that the API answers 503 with Retry-After',
  ),
  LIQUIDHOOK_RENDER_TIMEOUT_MS: positiveInt(
    'LIQUIDHOOK_RENDER_TIMEOUT_MS',
    5000,
    'Wall time of one preview, test-send or dry-run render, connected_content included; a render still running a second later has its thread stopped and replaced',
  ),
  LIQUIDHOOK_RENDER_MEMORY_MB: positiveInt(
    'LIQUIDHOOK_RENDER_MEMORY_MB',
    128,
    'Heap of each render and dry-run thread; a render that needs more stops with a limit error and its thread is replaced',
  ),
  LIQUIDHOOK_DRY_RUNS: positiveInt('LIQUIDHOOK_DRY_RUNS', 1, 'Dry runs at once, each on a thread of its own; more are refused with 503 and Retry-After'),
  LIQUIDHOOK_DRY_RUN_TIMEOUT_MS: positiveInt(
    'LIQUIDHOOK_DRY_RUN_TIMEOUT_MS',
    10 * 60_000,
    'Longest a dry run may take; past it the run stops and keeps what it counted so far',
  ),
  LIQUIDHOOK_CATALOG_REFRESH_MS: positiveInt(
    'LIQUIDHOOK_CATALOG_REFRESH_MS',
    2000,
    'How often campaigns changed by another process on the same database are picked up',
  ),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info')
    .describe(`Log level: ${LOG_LEVELS.join(', ')}`),
  LIQUIDHOOK_LOG_FORMAT: z
    .enum(LOG_FORMATS, { error: `LIQUIDHOOK_LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}` })
    .default('auto')
    .describe('Log lines: pretty (one readable line each) or json (one JSON object each, for collectors); auto: pretty when standard output is a terminal, else json'),
});

export type Env = z.input<typeof EnvSchema>;

export interface ServiceConfig {
  port: number;
  host: string;
  /** SQLite file path (or a postgres:// URL when that backend is used). */
  db: string;
  /** PostgreSQL connections per instance (PostgreSQL only). */
  dbPoolSize: number;
  apiKey?: string;
  allowedHosts?: string;
  templatesDir: string;
  worker: {
    batchSize: number;
    concurrency: number;
    pollMs: number;
    leaseMs: number;
  };
  /** PostgreSQL: heartbeat interval of an instance (its leases are taken over after 5 missed). */
  heartbeatMs: number;
  webhookTimeoutMs: number;
  maxConcurrencyPerHost: number;
  /** The worker's rendering and webhook requests on a second thread (the main one keeps the API and the store). */
  dispatchThread: boolean;
  retryWindowMs: number;
  shutdownGraceMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  logFormat: LogFormat;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** HTTP server timeouts: whole request, request headers, idle keep-alive connection. */
  http: {
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
  };
  /** Requests per minute; 0 = no limit. */
  rateLimitPerMinute: number;
  metricsPublic: boolean;
  trustProxy: boolean;
  catalogRefreshMs: number;
  /** Previews, test sends and dry runs: rendered on threads, bounded in time and memory. */
  render: {
    threads: number;
    queue: number;
    timeoutMs: number;
    memoryMb: number;
  };
  dryRun: {
    concurrent: number;
    timeoutMs: number;
  };
}

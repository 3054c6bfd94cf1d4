// The service configuration, read from environment variables. The zod schema is the single
// source of truth: defaults, coercion and the error messages a wrong value produces.
import { z } from 'zod';

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be greater than 0`)
    .default(fallback);

const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const EnvSchema = z.object({
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int('PORT must be a whole number')
    .min(0, 'PORT must be between 0 and 65535')
    .max(65535, 'PORT must be between 0 and 65535')
    .default(3000),
  // Loopback unless the operator opts in: the API holds profile data and can send webhooks.
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  LIQUIDHOOK_DB: z.string().trim().min(1).default('./data/liquidhook.db'),
  LIQUIDHOOK_API_KEY: optionalText.pipe(
    z.string().min(16, 'LIQUIDHOOK_API_KEY must be at least 16 characters').optional(),
  ),
  LIQUIDHOOK_ALLOWED_HOSTS: optionalText,
  LIQUIDHOOK_TEMPLATES_DIR: z.string().trim().min(1).default('./templates'),
  LIQUIDHOOK_WORKER_BATCH: positiveInt('LIQUIDHOOK_WORKER_BATCH', 100),
  LIQUIDHOOK_WORKER_CONCURRENCY: positiveInt('LIQUIDHOOK_WORKER_CONCURRENCY', 64),
  // Sends in flight per destination host; more wait in line (protects CRMs' API limits).
  LIQUIDHOOK_MAX_PER_HOST: positiveInt('LIQUIDHOOK_MAX_PER_HOST', 16),
  LIQUIDHOOK_POLL_MS: positiveInt('LIQUIDHOOK_POLL_MS', 1000),
  // A claimed delivery is reclaimed after this long; it must outlast one send.
  LIQUIDHOOK_LEASE_MS: positiveInt('LIQUIDHOOK_LEASE_MS', 120_000),
  // Braze waits up to 90 s for a webhook response.
  LIQUIDHOOK_WEBHOOK_TIMEOUT_MS: positiveInt('LIQUIDHOOK_WEBHOOK_TIMEOUT_MS', 90_000),
  // Braze keeps retrying a failing webhook for up to 30 minutes.
  LIQUIDHOOK_RETRY_WINDOW_MS: positiveInt('LIQUIDHOOK_RETRY_WINDOW_MS', 30 * 60_000),
  LIQUIDHOOK_SHUTDOWN_GRACE_MS: positiveInt('LIQUIDHOOK_SHUTDOWN_GRACE_MS', 10_000),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

export type Env = z.input<typeof EnvSchema>;

export interface ServiceConfig {
  port: number;
  host: string;
  /** SQLite file path (or a postgres:// URL when that backend is used). */
  db: string;
  apiKey?: string;
  allowedHosts?: string;
  templatesDir: string;
  worker: {
    batchSize: number;
    concurrency: number;
    pollMs: number;
    leaseMs: number;
  };
  webhookTimeoutMs: number;
  maxConcurrencyPerHost: number;
  retryWindowMs: number;
  shutdownGraceMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
}

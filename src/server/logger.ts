// The service logger. Secrets are redacted by path so that a stray `log.info({ headers })`
// cannot leak a key or token.
import { pino, type Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';

export const SERVICE_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.Authorization',
  'request.headers.authorization',
  'request.headers.Authorization',
  '*.client_secret',
  '*.password',
  '*.token',
  '*.access_token',
  '*.apiKey',
  'apiKey',
];

export function createLogger(config: Pick<ServiceConfig, 'logLevel'>, extraRedactPaths: string[] = []): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: [...new Set([...SERVICE_REDACT_PATHS, ...extraRedactPaths])], censor: '[REDACTED]' },
  });
}

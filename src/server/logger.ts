// The service logger: JSON lines (pino) with request ids. Secrets are redacted by path, so a
// stray `log.info({ headers })` cannot leak a key or token; URLs and bodies under known paths
// are scrubbed of credentials rather than dropped.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';
import { LOG_REDACT_PATHS, censorForLog } from '../dispatch/index.js';

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

/** Every redacted path: the service's own and the dispatcher's (headers, tokens, request bodies). */
export const REDACT_PATHS: readonly string[] = [...new Set([...SERVICE_REDACT_PATHS, ...LOG_REDACT_PATHS])];

export function createLogger(
  config: Pick<ServiceConfig, 'logLevel'>,
  extraRedactPaths: readonly string[] = [],
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: [...new Set([...REDACT_PATHS, ...extraRedactPaths])], censor: censorForLog },
  };
  return destination ? pino(options, destination) : pino(options);
}

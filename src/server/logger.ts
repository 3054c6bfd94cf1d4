// The service logger: JSON lines (pino) with request ids. Secrets are redacted by field name, so
// a stray `log.info({ headers })` cannot leak a key or token; URLs and bodies of request objects
// are scrubbed of credentials rather than dropped.
import { pino, type Bindings, type DestinationStream, type Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';
import { LOG_REDACT_PATHS, censorForLog, pinoRedactFormatters, redactLogObject } from '../dispatch/index.js';

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

/**
 * The fields redacted, as pino paths: the service's own and the dispatcher's (headers, tokens,
 * request bodies). The logger's walk covers them all (its test compares both on each path).
 */
export const REDACT_PATHS: readonly string[] = [...new Set([...SERVICE_REDACT_PATHS, ...LOG_REDACT_PATHS])];

type ChildFunction = (this: unknown, bindings: Bindings, childOptions?: unknown) => unknown;

export function createLogger(
  config: Pick<ServiceConfig, 'logLevel'>,
  extraRedactPaths: readonly string[] = [],
  destination?: DestinationStream,
): Logger {
  // REDACT_PATHS are covered by the formatters' walk (pino's own redaction re-parses every path
  // on every line); pino's is used only for extra paths a caller adds.
  const options = {
    level: config.logLevel,
    formatters: pinoRedactFormatters,
    ...(extraRedactPaths.length > 0 ? { redact: { paths: [...extraRedactPaths], censor: censorForLog } } : {}),
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // pino gives child loggers no bindings formatter: their bindings are redacted on the way in
  // (children inherit this method, so grandchildren too).
  const pinoChild = logger.child as unknown as ChildFunction;
  const redactingChild: ChildFunction = function (this: unknown, bindings, childOptions) {
    return pinoChild.call(this, redactLogObject(bindings), childOptions);
  };
  logger.child = redactingChild as unknown as Logger['child'];
  return logger;
}

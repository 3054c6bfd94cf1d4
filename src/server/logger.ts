// The service logger (pino) with request ids: JSON lines for collectors, or readable lines for a
// person at a terminal (pino-pretty, LIQUIDHOOK_LOG_FORMAT). Secrets are redacted by field name
// before a line is formatted either way, so a stray `log.info({ headers })` cannot leak a key or
// token; URLs and bodies of request objects are scrubbed of credentials rather than dropped.
import { createRequire } from 'node:module';
import { pino, type Bindings, type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, ServiceConfig } from '../config/index.js';
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

/** Readable lines when asked, or by default when a person watches a terminal; JSON otherwise. */
export function usePrettyLogs(format: LogFormat, stdoutIsTerminal: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && stdoutIsTerminal);
}

/** Lines such as `[12:00:01.234] INFO: liquidhook listening on ... {"url": ...}` (colored on a terminal). */
function prettyDestination(destination: DestinationStream | undefined, colorize: boolean): DestinationStream {
  // Loaded only when chosen: a service logging JSON never pays for the formatter.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pretty({
    destination: destination ?? 1,
    colorize,
    sync: true, // in order with the service's other writes to stdout (the API key banner)
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  });
}

export function createLogger(
  config: Pick<ServiceConfig, 'logLevel'> & { logFormat?: LogFormat },
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
  const terminal = destination === undefined && process.stdout.isTTY === true;
  const out = usePrettyLogs(config.logFormat ?? 'auto', terminal) ? prettyDestination(destination, terminal) : destination;
  const logger = out ? pino(options, out) : pino(options);
  // pino gives child loggers no bindings formatter: their bindings are redacted on the way in
  // (children inherit this method, so grandchildren too).
  const pinoChild = logger.child as unknown as ChildFunction;
  const redactingChild: ChildFunction = function (this: unknown, bindings, childOptions) {
    return pinoChild.call(this, redactLogObject(bindings), childOptions);
  };
  logger.child = redactingChild as unknown as Logger['child'];
  return logger;
}

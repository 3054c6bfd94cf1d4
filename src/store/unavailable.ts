// Errors that mean the database cannot be reached right now (a server restart, a network cut, a
// write lock held too long), as opposed to a bad request or a bug. Callers answer 503 with
// Retry-After, keep work they could not record, and try again; nothing was half-written, since
// every multi-row write is one transaction.

/** PostgreSQL SQLSTATE classes and codes: connection exceptions, shutdown, startup, no free slot. */
const POSTGRES_CODE = /^(08...|57P0[123]|53300)$/;
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** node-postgres reports a lost or refused connection by message only. */
const PG_CLIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|is not queryable/;

export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (POSTGRES_CODE.test(code) || NODE_CODES.has(code) || code === 'SQLITE_BUSY')) return true;
  if (PG_CLIENT_MESSAGES.test(error.message)) return true;
  // A connection refused on every address of a host, or an error wrapped by the store.
  const inner = error instanceof AggregateError ? error.errors : [error.cause];
  return inner.some((e) => isStoreUnavailable(e, depth + 1));
}

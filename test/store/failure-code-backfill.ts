// Deliveries as a database before failure codes were kept (schema version 6), and the code
// migration 7 gives each one from its message. Shared by the SQLite and PostgreSQL tests.
export const OLD_MESSAGES: [lastError: string | null, code: string | null][] = [
  ['HTTP 503', 'http_status'],
  ['gave up after 3 attempts: HTTP 500', 'http_status'],
  ['HTTP 302 (redirects are not followed)', 'http_status'],
  ['render failed: unknown tag "foo"', 'render_failed'],
  ['campaign c9 no longer exists', 'campaign_missing'],
  ['signing secret CRM is not configured', 'invalid_request'],
  ['timeout: no complete response within 5000 ms', 'timeout'],
  ['gave up after 2 h: connection: connect ECONNREFUSED 10.0.0.1:443', 'connection'],
  ['network: socket hang up', 'connection'],
  ['ssrf_blocked: 10.0.0.1 is a private address', 'ssrf_blocked'],
  ['circuit_open: circuit open for https://crm.example', 'circuit_open'],
  ['something nobody wrote down', null],
  [null, null],
];

/** An INSERT of old row `i` (columns as of schema version 6) with `$n` or `?` placeholders. */
export function oldDeliveryRow(i: number): { columns: string; values: unknown[] } {
  const at = '2026-01-01T00:00:00.000Z';
  const [lastError] = OLD_MESSAGES[i]!;
  return {
    columns: 'id, campaign_id, external_id, idempotency_key, status, attempts, trigger, next_attempt_at, last_error, created_at, updated_at',
    values: [`d${String(i).padStart(2, '0')}`, 'c1', `u${i}`, `k${i}`, lastError ? 'dead' : 'delivered', 1, '{}', at, lastError, at, at],
  };
}

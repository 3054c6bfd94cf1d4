// Lease times on PostgreSQL come from the database clock: instances on different machines share
// the leases, and their clocks may disagree by more than a lease renewal's margin. The lease
// columns hold ISO-8601 UTC text with milliseconds (as Date#toISOString writes it), so these
// expressions render `now()` the same way and text comparison keeps working.

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** SQL for the database's `now()`, `plusMs` (an SQL expression in milliseconds) later if given, as lease text. */
export function databaseTime(plusMs?: string): string {
  const at = plusMs === undefined ? 'now()' : `now() + (${plusMs})::double precision * interval '1 millisecond'`;
  return `to_char((${at}) AT TIME ZONE 'UTC', ${ISO})`;
}

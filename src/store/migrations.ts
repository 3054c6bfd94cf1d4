// Versioned schema migrations, written once for both SQL backends. Each migration is a list of
// statements built from a few dialect tokens (auto-increment key, JSON column, float column);
// everything else is plain SQL both SQLite and PostgreSQL accept. Dates are ISO-8601 UTC strings
// (`Date#toISOString`), so text comparison orders them correctly on both backends.

export interface SqlDialect {
  /** Column definition of an auto-increment integer primary key. */
  serialPrimaryKey: string;
  /** Column type for JSON documents. */
  json: string;
  /** Column type for floating point numbers. */
  float: string;
}

export interface Migration {
  version: number;
  name: string;
  statements: (d: SqlDialect) => string[];
}

export const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** Messages earlier versions wrote (LIKE patterns, first match wins) and the code each one means. */
const CODES_OF_MESSAGES: [string, string][] = [
  ['render failed:%', 'render_failed'],
  ['campaign % no longer exists', 'campaign_missing'],
  ['signing secret % is not configured', 'invalid_request'],
  ['invalid_request:%', 'invalid_request'],
  ['ssrf_blocked:%', 'ssrf_blocked'],
  ['circuit_open:%', 'circuit_open'],
  ['timeout:%', 'timeout'],
  ['connection:%', 'connection'],
  ['network:%', 'connection'],
  ['HTTP %', 'http_status'],
];

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'profiles, events, campaigns, deliveries, export stream',
    statements: (d) => [
      `CREATE TABLE profiles (
        external_id TEXT PRIMARY KEY,
        attributes ${d.json} NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE TABLE events (
        id ${d.serialPrimaryKey},
        external_id TEXT NOT NULL REFERENCES profiles(external_id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        time TEXT NOT NULL,
        properties ${d.json} NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE INDEX events_by_user ON events (external_id, time)`,
      `CREATE TABLE purchases (
        id ${d.serialPrimaryKey},
        external_id TEXT NOT NULL REFERENCES profiles(external_id) ON DELETE CASCADE,
        product_id TEXT NOT NULL,
        currency TEXT NOT NULL,
        price ${d.float} NOT NULL,
        quantity INTEGER NOT NULL,
        time TEXT NOT NULL,
        properties ${d.json} NOT NULL,
        created_at TEXT NOT NULL
      )`,
      `CREATE INDEX purchases_by_user ON purchases (external_id, time)`,
      `CREATE TABLE campaigns (
        id TEXT PRIMARY KEY,
        definition ${d.json} NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      // Last time a campaign enqueued a send for a user: the basis of re-eligibility.
      `CREATE TABLE campaign_eligibility (
        campaign_id TEXT NOT NULL,
        external_id TEXT NOT NULL,
        last_enqueued_at TEXT NOT NULL,
        PRIMARY KEY (campaign_id, external_id)
      )`,
      `CREATE INDEX campaign_eligibility_by_user ON campaign_eligibility (external_id)`,
      // Outbox and delivery log in one table: a row is written with the profile change that
      // triggered it, claimed by workers through a lease, and keeps its final state.
      `CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL,
        external_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        trigger ${d.json} NOT NULL,
        request ${d.json},
        next_attempt_at TEXT NOT NULL,
        first_attempt_at TEXT,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT,
        abort_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)`,
      `CREATE INDEX deliveries_lease ON deliveries (status, lease_until)`,
      `CREATE INDEX deliveries_by_campaign ON deliveries (campaign_id, id)`,
      `CREATE INDEX deliveries_by_user ON deliveries (external_id, id)`,
      `CREATE TABLE delivery_attempts (
        id ${d.serialPrimaryKey},
        delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        at TEXT NOT NULL,
        status_code INTEGER,
        latency_ms ${d.float} NOT NULL,
        response_body TEXT,
        error TEXT
      )`,
      `CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, id)`,
      `CREATE TABLE export_events (
        seq ${d.serialPrimaryKey},
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        external_id TEXT,
        campaign_id TEXT,
        delivery_id TEXT,
        data ${d.json} NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'stored definitions, program memberships with due times, cursors',
    statements: (d) => [
      // Scoring programs and table syncs, each validated by its zod schema before it is stored.
      `CREATE TABLE stored_definitions (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        definition ${d.json} NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      )`,
      // One row per (program, user) while the user is in the program. due_at is the end of the
      // current inactivity window: the decay scheduler reads due rows by index, never all profiles.
      `CREATE TABLE program_members (
        program_id TEXT NOT NULL,
        external_id TEXT NOT NULL REFERENCES profiles(external_id) ON DELETE CASCADE,
        entered_at TEXT NOT NULL,
        due_at TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (program_id, external_id)
      )`,
      `CREATE INDEX program_members_due ON program_members (due_at, program_id, external_id) WHERE due_at IS NOT NULL`,
      `CREATE INDEX program_members_by_user ON program_members (external_id)`,
      // Named positions moved by compare-and-set: sync watermarks, exporter positions.
      `CREATE TABLE cursors (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    name: 'no per-user indexes on stored events and purchases',
    // Nothing reads events or purchases by user (the export stream carries them), and profiles
    // are never deleted; each of these indexes cost one random page write per event ingested.
    statements: () => ['DROP INDEX IF EXISTS events_by_user', 'DROP INDEX IF EXISTS purchases_by_user'],
  },
  {
    version: 4,
    name: 'outbox indexes hold live deliveries only',
    // Claims read queued rows by due time and sending rows by lease expiry. Partial indexes keep
    // finished deliveries (nearly every row, in time) out of both: they stay as small as the
    // backlog, and recording an outcome removes an entry instead of moving it.
    statements: () => [
      'DROP INDEX IF EXISTS deliveries_due',
      'DROP INDEX IF EXISTS deliveries_lease',
      `CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'queued'`,
      `CREATE INDEX deliveries_lease ON deliveries (lease_until, id) WHERE status = 'sending'`,
    ],
  },
  {
    version: 5,
    name: 'events and purchases kept once, in the export stream',
    // Every event and purchase is also a user_event / purchase entry of the export stream, with
    // the same fields, written in the same transaction. These tables held a second copy that
    // nothing read, at one more row write per event ingested.
    statements: () => ['DROP TABLE IF EXISTS events', 'DROP TABLE IF EXISTS purchases'],
  },
  {
    version: 6,
    name: 'each attempt keeps the request it sent',
    // The request log used to be written into the delivery row by the outcome's UPDATE, growing
    // a row written moments before without it: on SQLite about 3.3 KB more written per send. An
    // attempt row is appended anyway, so it carries its own request; the delivery row keeps
    // only the log of an outcome without an attempt (an abort, a render error).
    statements: (d) => [`ALTER TABLE delivery_attempts ADD COLUMN request ${d.json}`],
  },
  {
    version: 7,
    name: 'failure code beside the last error',
    // Why a delivery did not arrive, as a stable code (domain/failure-code.ts) next to the message.
    // Rows written before keep their message; where the message says plainly what happened, the
    // code is filled in from it (retry give-ups prefix the message with "gave up…: "), else null.
    statements: () => [
      'ALTER TABLE deliveries ADD COLUMN failure_code TEXT',
      `UPDATE deliveries SET failure_code = CASE ${CODES_OF_MESSAGES.map(
        ([pattern, code]) => `WHEN last_error LIKE '${pattern}' OR last_error LIKE 'gave up%: ${pattern}' THEN '${code}'`,
      ).join(' ')} END
       WHERE last_error IS NOT NULL`,
    ],
  },
  {
    version: 8,
    name: 'each attempt keeps the message_extras pairs of its send',
    // The pairs of the template's message_extras tags belong to the send (Braze's send event), so
    // they go with the attempt row written for it, as its request log does (see version 6).
    statements: (d) => [`ALTER TABLE delivery_attempts ADD COLUMN message_extras ${d.json}`],
  },
];

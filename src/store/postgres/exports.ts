// The export stream on PostgreSQL. Writers insert rows without a position; readers first publish
// committed rows, giving them positions under an advisory lock, then read by position.
//
// Why: a sequence value is taken when a row is inserted, not when its transaction commits, so
// with concurrent writers seq 8 can become visible before seq 7. A reader that resumed after 8
// would skip 7 forever. A statement only sees committed rows, and publishers run one at a time,
// each continuing after the previous one's highest position: committed positions therefore
// always form a gap-free prefix, and anything committed later gets a higher position. Writers
// never wait for each other or for readers.
import type pg from 'pg';
import type { ExportEvent } from '../../domain/index.js';
import { LOCK_KEYS } from './db.js';
import { type ExportRow, json, toExportEvent } from './rows.js';

/** Rows published per statement: bounds the work of one read after a long quiet period. */
const PUBLISH_BATCH = 10_000;

export async function insertExportEvents(client: pg.ClientBase, events: Omit<ExportEvent, 'seq'>[]): Promise<void> {
  if (events.length === 0) return;
  await client.query({
    name: 'lh_insert_exports',
    // ORDER BY the array position keeps `seq` (and so publishing order) as the events were listed.
    text: `INSERT INTO export_events (type, at, external_id, campaign_id, delivery_id, data)
           SELECT type, at, external_id, campaign_id, delivery_id, data::json
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             WITH ORDINALITY AS e(type, at, external_id, campaign_id, delivery_id, data, n)
           ORDER BY n`,
    values: [
      events.map((e) => e.type),
      events.map((e) => e.at),
      events.map((e) => e.externalId ?? null),
      events.map((e) => e.campaignId ?? null),
      events.map((e) => e.deliveryId ?? null),
      events.map((e) => json(e.data)),
    ],
  });
}

/** Gives positions to committed, unpublished rows (in seq order); returns how many. */
export async function publishExportEvents(client: pg.ClientBase, limit = PUBLISH_BATCH): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.publishExports]);
    // This statement's snapshot is taken after the lock, so it sees every earlier publication.
    const result = await client.query({
      name: 'lh_publish_exports',
      text: `WITH base AS (SELECT COALESCE(MAX(pos), 0) AS last FROM export_events WHERE pos IS NOT NULL),
             pending AS (
               SELECT seq, row_number() OVER (ORDER BY seq) AS n
               FROM (SELECT seq FROM export_events WHERE pos IS NULL ORDER BY seq LIMIT $1) unpublished
             )
             UPDATE export_events e SET pos = base.last + pending.n
             FROM pending, base WHERE e.seq = pending.seq`,
      values: [limit],
    });
    await client.query('COMMIT');
    return result.rowCount ?? 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

export async function readExportEvents(pool: pg.Pool, afterSeq: number, limit: number): Promise<ExportEvent[]> {
  const take = Math.max(0, Math.floor(limit));
  const client = await pool.connect();
  try {
    // Publish until this page can be filled from published rows (or nothing is left to publish).
    for (;;) {
      const published = await publishExportEvents(client);
      if (published < PUBLISH_BATCH) break;
      const { rows } = await client.query<{ n: string }>(
        'SELECT COUNT(*) AS n FROM (SELECT 1 FROM export_events WHERE pos > $1 LIMIT $2) page',
        [afterSeq, take],
      );
      if (Number(rows[0]!.n) >= take) break;
    }
    const { rows } = await client.query<ExportRow>({
      name: 'lh_read_exports',
      text: `SELECT pos, type, at, external_id, campaign_id, delivery_id, data
             FROM export_events WHERE pos > $1 ORDER BY pos LIMIT $2`,
      values: [afterSeq, take],
    });
    return rows.map(toExportEvent);
  } finally {
    client.release();
  }
}

// What SQLite alone charges on this machine for the data sends must keep: the sends' rows, their
// attempts with the request log, their three webhook export events, appended with the store's
// commit sizes (75 per enqueue, 32 per outcome round) and durability (WAL, every commit fsynced).
// Three layouts, each cheaper than the one before by giving something up:
// - rows: today's data, without any index;
// - twoRows: a send row and an attempt row only, the export events derived from them when read;
// - twoRowsFolded: twoRows plus the indexes the delivery API reads (by campaign, by user, by id,
//   attempts by delivery), written by a fold every 8,000 rows instead of with each send.
//   npx tsx bench/outbox-floors.ts [sends=20000]
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface FloorSend {
  id: string;
  campaignId: string;
  externalId: string;
  idempotencyKey: string;
  trigger: unknown;
}

export type FloorLayout = 'rows' | 'twoRows' | 'twoRowsFolded';

const ENQUEUE_BATCH = 75;
const OUTCOME_ROUND = 32;
const FOLD_EVERY = 8_000;

/** CPU µs per send of appending what `sends` keep (one attempt each, carrying `requestLog`). */
export function measureOutboxFloor(sends: readonly FloorSend[], requestLog: object, layout: FloorLayout): number {
  const dir = mkdtempSync(join(tmpdir(), 'lh-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE sends (seq INTEGER PRIMARY KEY, id TEXT, campaign_id TEXT, external_id TEXT, idempotency_key TEXT, trigger TEXT, at TEXT);
      CREATE TABLE attempts (seq INTEGER PRIMARY KEY, delivery_id TEXT, status TEXT, attempt TEXT, request TEXT, at TEXT);
      CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT, at TEXT, external_id TEXT, campaign_id TEXT, delivery_id TEXT, data TEXT);
      CREATE TABLE by_campaign (campaign_id TEXT, id TEXT, seq INTEGER, PRIMARY KEY (campaign_id, id)) WITHOUT ROWID;
      CREATE TABLE by_user (external_id TEXT, id TEXT, seq INTEGER, PRIMARY KEY (external_id, id)) WITHOUT ROWID;
      CREATE TABLE by_id (id TEXT PRIMARY KEY, seq INTEGER) WITHOUT ROWID;
      CREATE TABLE attempts_by_delivery (delivery_id TEXT, seq INTEGER, PRIMARY KEY (delivery_id, seq)) WITHOUT ROWID`);
    const send = db.prepare('INSERT INTO sends (id, campaign_id, external_id, idempotency_key, trigger, at) VALUES (?, ?, ?, ?, ?, ?)');
    const attempt = db.prepare('INSERT INTO attempts (delivery_id, status, attempt, request, at) VALUES (?, ?, ?, ?, ?)');
    const event = db.prepare('INSERT INTO events (type, at, external_id, campaign_id, delivery_id, data) VALUES (?, ?, ?, ?, ?, ?)');
    const put = (type: string, d: FloorSend, at: string, data: object): unknown =>
      layout === 'rows' && event.run(type, at, d.externalId, d.campaignId, d.id, JSON.stringify(data));
    const fold = createFold(db);
    let unfolded = 0;
    const written = (rows: number): void => {
      if (layout === 'twoRowsFolded' && (unfolded += rows) >= FOLD_EVERY) (fold(), (unfolded = 0));
    };
    const start = process.cpuUsage();
    for (let i = 0; i < sends.length; i += ENQUEUE_BATCH) {
      const batch = sends.slice(i, i + ENQUEUE_BATCH);
      db.transaction(() => {
        const at = new Date().toISOString();
        for (const d of batch) {
          send.run(d.id, d.campaignId, d.externalId, d.idempotencyKey, JSON.stringify(d.trigger), at);
          put('webhook_enqueued', d, at, { trigger: d.trigger });
        }
      })();
      written(batch.length);
    }
    for (let i = 0; i < sends.length; i += OUTCOME_ROUND) {
      const round = sends.slice(i, i + OUTCOME_ROUND);
      db.transaction(() => {
        const at = new Date().toISOString();
        for (const d of round) {
          attempt.run(d.id, 'delivered', JSON.stringify({ attempt: 1, status_code: 200, latency_ms: 2, response_body: '{"ok":true}' }), JSON.stringify(requestLog), at);
          put('webhook_sent', d, at, { attempt: 1, latency_ms: 2, status_code: 200, message_extras: {} });
          put('webhook_delivered', d, at, { status: 'delivered', status_code: 200 });
        }
      })();
      written(round.length);
    }
    if (layout === 'twoRowsFolded') fold();
    const cpu = process.cpuUsage(start);
    return (cpu.user + cpu.system) / sends.length;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies the rows appended since the last fold into the index tables, in one transaction. */
function createFold(db: Database.Database): () => void {
  const marks = { sends: 0, attempts: 0 };
  const copies = [
    db.prepare('INSERT INTO by_campaign SELECT campaign_id, id, seq FROM sends WHERE seq > @sends'),
    db.prepare('INSERT INTO by_user SELECT external_id, id, seq FROM sends WHERE seq > @sends'),
    db.prepare('INSERT INTO by_id SELECT id, seq FROM sends WHERE seq > @sends'),
    db.prepare('INSERT INTO attempts_by_delivery SELECT delivery_id, seq FROM attempts WHERE seq > @attempts'),
  ];
  const last = db.prepare('SELECT (SELECT COALESCE(MAX(seq), 0) FROM sends) AS sends, (SELECT COALESCE(MAX(seq), 0) FROM attempts) AS attempts');
  return db.transaction(() => {
    for (const copy of copies) copy.run(marks);
    Object.assign(marks, last.get());
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const total = Number(process.argv[2] ?? 20_000);
  const sends: FloorSend[] = Array.from({ length: total }, (_, k) => {
    const id = `0190c3d2-${k.toString(16).padStart(5, '0')}-7000-8000-${String((k * 7919) % 1e6).padStart(12, '0')}`;
    return { id, campaignId: 'c1', externalId: `u${(k * 7919) % 100_000}`, idempotencyKey: id, trigger: { attribute: 'score', old: 1, new: 2 } };
  });
  const log = { method: 'PATCH', url: 'http://127.0.0.1:1/leads/x', headers: { 'content-type': 'application/json' }, body: '{"score": 1}' };
  for (const layout of ['rows', 'twoRows', 'twoRowsFolded'] as const) {
    console.log(`${layout}: ${measureOutboxFloor(sends, log, layout).toFixed(1)} µs of CPU per send`);
  }
}

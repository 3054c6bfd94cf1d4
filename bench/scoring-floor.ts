// What scoring costs SQLite itself, without liquidhook: random users among `profiles`, 75 events
// per commit (fsynced), each event appended with its export row; an event that changes a score
// (a share `scoredShare` of them, as the program's rules decide) also rewrites its user's profile
// row and appends two more export rows (attribute_changed, score_changed). The difference
// scored − unscored is the least scoring can add per event while every score is durable in its
// profile when the batch is answered.
//   npx tsx bench/scoring-floor.ts [profiles=1000000] [scoredShare=1] [events=30000]
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ScoringFloor {
  /** CPU µs per event. */
  unscoredUs: number;
  scoredUs: number;
  ratio: number;
}

const BATCH = 75;
const ATTRIBUTES = { email: 'someone@example.com', first_name: 'Ada', company: 'Acme', title: 'VP Marketing', country: 'US', lead_score: 10 };

export function measureScoringFloor(profiles = 1_000_000, scoredShare = 1, events = 30_000): ScoringFloor {
  const dir = mkdtempSync(join(tmpdir(), 'lh-scoring-floor-'));
  const db = new Database(join(dir, 'floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE profiles (external_id TEXT PRIMARY KEY, attributes TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE events (seq INTEGER PRIMARY KEY, external_id TEXT, name TEXT, time TEXT, properties TEXT);
      CREATE TABLE export_events (seq INTEGER PRIMARY KEY, type TEXT, at TEXT, external_id TEXT, data TEXT)`);
    const insertProfile = db.prepare('INSERT INTO profiles VALUES (?, ?, ?)');
    const text = JSON.stringify(ATTRIBUTES);
    db.transaction(() => {
      for (let i = 0; i < profiles; i++) insertProfile.run(`user-${i}`, text, '2026-01-01T00:00:00.000Z');
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const event = db.prepare('INSERT INTO events (external_id, name, time, properties) VALUES (?, ?, ?, ?)');
    const exported = db.prepare('INSERT INTO export_events (type, at, external_id, data) VALUES (?, ?, ?, ?)');
    const read = db.prepare('SELECT attributes FROM profiles WHERE external_id = ?');
    const rewrite = db.prepare('UPDATE profiles SET attributes = ?, updated_at = ? WHERE external_id = ?');
    let seed = 7;
    const user = (): string => `user-${Math.floor(((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * profiles)}`;
    const run = (scored: boolean): number => {
      const start = process.cpuUsage();
      for (let i = 0; i < events; i += BATCH) {
        db.transaction(() => {
          const at = new Date().toISOString();
          for (let k = 0; k < BATCH; k++) {
            const id = user();
            event.run(id, 'visited_pricing', at, '{}');
            exported.run('custom_event', at, id, '{"name":"visited_pricing","properties":{}}');
            if (!scored || (k % 100) / 100 >= scoredShare) continue;
            const attributes = JSON.parse((read.get(id) as { attributes: string }).attributes) as typeof ATTRIBUTES;
            const old = attributes.lead_score;
            attributes.lead_score += 5;
            rewrite.run(JSON.stringify(attributes), at, id);
            exported.run('attribute_changed', at, id, JSON.stringify({ attribute: 'lead_score', old, new: attributes.lead_score }));
            exported.run('score_changed', at, id, JSON.stringify({ program_id: 'sp_lead_scoring', delta: 5, score: attributes.lead_score }));
          }
        })();
      }
      const cpu = process.cpuUsage(start);
      return (cpu.user + cpu.system) / events;
    };
    // Interleaved, best of two each: the first rounds warm the page cache.
    const unscored = Math.min(run(false), run(false));
    const scored = Math.min(run(true), run(true));
    return { unscoredUs: unscored, scoredUs: scored, ratio: unscored / scored };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [profiles, share, events] = process.argv.slice(2).map(Number);
  const floor = measureScoringFloor(profiles || undefined, share || undefined, events || undefined);
  console.log(`SQLite alone: unscored ${floor.unscoredUs.toFixed(1)} µs/event, scored ${floor.scoredUs.toFixed(1)} µs/event, ratio ${floor.ratio.toFixed(2)}x`);
}

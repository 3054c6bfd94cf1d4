// Section 5: scoring ingest at 1M profiles.
//   throughput  /users/track-shaped batches of 75 events for random users among 1M, applied by
//               the intake on a durable SQLite store (every commit fsynced before it is answered), scoring
//               with the example lead-scoring program, against the same batches through an intake
//               without scoring on the same store (interleaved rounds, one process).
//   memory      RSS of the service (startService, events posted to its /users/track) on the 1M
//               store, against the same service on an empty store.
// Standalone: npx tsx bench/scoring.ts [profiles=1000000] [--profile]  (--profile: CPU profile of
// the throughput child in $TMPDIR/liquidhook-profiles/). BENCH_SCORING_PRAGMAS="cache_size=-65536;..." applies
// extra PRAGMAs to the throughput child's connection, to try store settings.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { toTrackBatch, type TrackRequest } from '../src/ingest/index.js';
import { ScoringProgramRegistry, type Intake } from '../src/intake/index.js';
import { type TrackBatch } from '../src/domain/index.js';
import { openSqliteStore } from '../src/store/index.js';
import { serializeMemberships } from '../src/store/sqlite/memberships.js';
import { compiled } from './lib/compiled.js';

const ROOT = join(import.meta.dirname, '..');
const PROGRAM_FILE = join(ROOT, 'templates/lead-scoring.scoring.json');
const PROGRAM_ID = 'sp_lead_scoring';
const EVENTS_PER_REQUEST = 75;
const API_KEY = 'bench-scoring-key-0123456789';
/** Concurrent /users/track requests the throughput phase keeps in flight. */
export const INGEST_IN_FLIGHT = 4;

export interface IngestFigures {
  scored: { events: number; seconds: number; perSecond: number };
  unscored: { events: number; seconds: number; perSecond: number };
  /** Score changes per scored event: shows the program really scored (not a no-op path). */
  scoreChangesPerEvent: number;
}

export interface RssFigures {
  profiles: number;
  rssMb: number;
  rssAtStartMb: number;
  heapUsedMb: number;
  events: number;
  eventsPerSecond: number;
}

export interface ScoringFigures {
  profiles: number;
  setupSeconds: number;
  ingest: IngestFigures;
  rss: RssFigures;
  emptyRss: RssFigures;
}

/** Deterministic random numbers, so every run sends the same events. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Event mix: most events score in one action group, some in none (they are still stored). */
function randomEvent(random: () => number, profiles: number, time: string): NonNullable<TrackRequest['events']>[number] {
  const user = `lead-${Math.floor(random() * profiles)}`;
  const r = random();
  const [name, properties]: [string, Record<string, string>] =
    r < 0.2 ? ['page_viewed', { path: '/pricing' }]
    : r < 0.4 ? ['page_viewed', { path: '/blog/post' }]
    : r < 0.7 ? ['email_opened', { campaign: 'nurture' }]
    : r < 0.75 ? ['demo_requested', {}]
    : r < 0.8 ? ['unsubscribed', {}]
    : ['session_started', { device: 'web' }];
  return { external_id: user, name, time, properties };
}

function trackBodies(count: number, profiles: number, seed: number): TrackRequest[] {
  const random = prng(seed);
  const time = new Date().toISOString();
  return Array.from({ length: count }, () => ({
    events: Array.from({ length: EVENTS_PER_REQUEST }, () => randomEvent(random, profiles, time)),
  }));
}

/** A store on disk holding the program and `profiles` entered users (bulk-inserted: setup only). */
export async function createProfileStore(path: string, profiles: number): Promise<void> {
  const store = openSqliteStore({ path });
  await new ScoringProgramRegistry(store).put(PROGRAM_ID, JSON.parse(readFileSync(PROGRAM_FILE, 'utf8')));
  await store.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // Each profile entered the program a day ago; its inactivity window ends in 29 days (see
  // src/store/sqlite/memberships.ts for the layout).
  const profile = db.prepare('INSERT INTO profiles (external_id, attributes, memberships, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const queued = db.prepare('INSERT INTO program_due (due_at, program_id, external_id) VALUES (?, ?, ?)');
  const at = new Date(Date.now() - 86_400_000).toISOString();
  const due = new Date(Date.now() + 29 * 86_400_000).toISOString();
  const memberships = serializeMemberships(new Map([[PROGRAM_ID, { enteredAt: at, dueAt: due, queuedAt: due }]]));
  const chunk = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `lead-${i}`;
      const attributes = { email: `user${i}@company${i % 997}.example`, company: `company${i % 997}`, is_customer: i % 50 === 0, 'lead score': i % 120 };
      profile.run(id, JSON.stringify(attributes), memberships, at, at);
      queued.run(due, PROGRAM_ID, id);
    }
  });
  for (let from = 0; from < profiles; from += 50_000) chunk(from, Math.min(profiles, from + 50_000));
  db.close();
}

async function runChild(args: string[], execArgv: string[] = [], timeoutMs = 60_000): Promise<unknown> {
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', join(ROOT, 'bench/scoring.ts'), '--child', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8192)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(timer);
  const result = /^RESULT (.*)$/m.exec(output);
  if (code !== 0 || !result) throw new Error(`bench/scoring.ts --child ${args[0]} failed (exit ${code}): ${output.slice(-600)}`);
  return JSON.parse(result[1]!);
}

/** Child: interleaved rounds of scored and unscored applyTrack on the same durable store. */
async function ingestChild(path: string, profiles: number, seconds: number, inFlight: number): Promise<IngestFigures> {
  let scoreChanges = 0;
  // The measured store and scoring come from the build, as installed.
  const { openSqliteStore } = await compiled<typeof import('../src/store/index.js')>('store/index.js');
  const intakes = await compiled<typeof import('../src/intake/index.js')>('intake/index.js');
  const raw = openSqliteStore({ path });
  for (const pragma of (process.env.BENCH_SCORING_PRAGMAS ?? '').split(';').filter(Boolean)) raw.db.pragma(pragma);
  const registry = new intakes.ScoringProgramRegistry(raw);
  await registry.load();
  const noCampaigns = { campaignEntries: () => [] };
  const scored = intakes.createIntake({ store: raw, campaigns: noCampaigns, scoring: registry, onScored: (n) => (scoreChanges += n) });
  const unscored = intakes.createIntake({ store: raw, campaigns: noCampaigns });
  const batches = (seed: number): TrackBatch[] => trackBodies(400, profiles, seed).map((body) => toTrackBatch(body).batch);
  const work: Record<'scored' | 'unscored', { intake: Intake; batches: TrackBatch[]; events: number; ms: number }> = {
    scored: { intake: scored, batches: batches(1), events: 0, ms: 0 },
    unscored: { intake: unscored, batches: batches(2), events: 0, ms: 0 },
  };
  const apply = async (mode: 'scored' | 'unscored', ms: number, count: boolean): Promise<void> => {
    const w = work[mode];
    const t0 = performance.now();
    let i = 0;
    // `inFlight` requests at a time, as concurrent /users/track calls reach the store.
    const client = async (): Promise<void> => {
      while (performance.now() - t0 < ms) {
        const batch = w.batches[i++ % w.batches.length]!;
        await w.intake.track(batch);
        if (count) w.events += batch.events.length;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, client));
    if (count) w.ms += performance.now() - t0;
  };
  await apply('unscored', 300, false);
  await apply('scored', 300, false);
  scoreChanges = 0;
  const rounds = 6;
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['scored', 'unscored'] as const) : (['unscored', 'scored'] as const);
    for (const mode of order) await apply(mode, (seconds * 1000) / (2 * rounds), true);
  }
  await raw.close();
  const figures = (w: { events: number; ms: number }) => ({ events: w.events, seconds: w.ms / 1000, perSecond: w.events / (w.ms / 1000) });
  return { scored: figures(work.scored), unscored: figures(work.unscored), scoreChangesPerEvent: scoreChanges / work.scored.events };
}

/** Child: the service on `path`, fed `requests` /users/track requests over HTTP, then its RSS. */
async function rssChild(path: string, profiles: number, requests: number): Promise<RssFigures> {
  const { loadConfig } = await compiled<typeof import('../src/config/index.js')>('config/index.js');
  const { startService } = await compiled<typeof import('../src/server/service.js')>('server/service.js');
  const env = {
    LIQUIDHOOK_DB: path,
    LIQUIDHOOK_API_KEY: API_KEY,
    LIQUIDHOOK_TEMPLATES_DIR: join(path, '..', 'no-templates'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  const service = await startService(loadConfig(env), { env });
  const rssAtStartMb = process.memoryUsage().rss / 2 ** 20;
  // Users among the store's profiles (an empty store gets the same ids: they become new profiles).
  const bodies = trackBodies(requests, Math.max(profiles, 1_000_000), 3).map((b) => JSON.stringify(b));
  const t0 = performance.now();
  let next = 0;
  const post = async (): Promise<void> => {
    while (next < bodies.length) {
      const res = await request(`${service.url}/users/track`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: bodies[next++]!,
      });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw new Error(`/users/track answered ${res.statusCode}: ${text}`);
    }
  };
  await Promise.all([post(), post(), post(), post()]);
  const seconds = (performance.now() - t0) / 1000;
  const memory = process.memoryUsage();
  await service.close();
  const events = requests * EVENTS_PER_REQUEST;
  return { profiles, rssMb: memory.rss / 2 ** 20, rssAtStartMb, heapUsedMb: memory.heapUsed / 2 ** 20, events, eventsPerSecond: events / seconds };
}

export interface ScoringBenchOptions {
  profiles?: number;
  ingestSeconds?: number;
  /** applyTrack calls in flight at once (concurrent /users/track requests). */
  inFlight?: number;
  rssRequests?: number;
  /** Extra node flags for the throughput child (e.g. --cpu-prof). */
  ingestExecArgv?: string[];
}

export async function measureScoring(options: ScoringBenchOptions = {}): Promise<ScoringFigures> {
  const profiles = options.profiles ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'lh-bench-scoring-'));
  try {
    const full = join(dir, 'profiles.db');
    const empty = join(dir, 'empty.db');
    const t0 = performance.now();
    await createProfileStore(full, profiles);
    await createProfileStore(empty, 0);
    const setupSeconds = (performance.now() - t0) / 1000;
    const inFlight = String(options.inFlight ?? INGEST_IN_FLIGHT);
    const ingest = (await runChild(['ingest', full, String(profiles), String(options.ingestSeconds ?? 8), inFlight], options.ingestExecArgv)) as IngestFigures;
    const requests = String(options.rssRequests ?? 200);
    const rss = (await runChild(['rss', full, String(profiles), requests])) as RssFigures;
    const emptyRss = (await runChild(['rss', empty, '0', requests])) as RssFigures;
    return { profiles, setupSeconds, ingest, rss, emptyRss };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.argv[2] === '--child') {
  const [mode, path, profiles, amount, inFlight] = process.argv.slice(3);
  const result =
    mode === 'ingest' ? await ingestChild(path!, Number(profiles), Number(amount), Number(inFlight))
    : mode === 'rss' ? await rssChild(path!, Number(profiles), Number(amount))
    : undefined;
  if (!result) throw new Error(`unknown child mode ${String(mode)}`);
  console.log(`RESULT ${JSON.stringify(result)}`);
} else if (isMain) {
  const profile = process.argv.includes('--profile');
  const profiles = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const profileDir = join(tmpdir(), 'liquidhook-profiles');
  if (profile) mkdirSync(profileDir, { recursive: true });
  const figures = await measureScoring({ profiles, ingestExecArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
  console.log(JSON.stringify(figures, null, 2));
}

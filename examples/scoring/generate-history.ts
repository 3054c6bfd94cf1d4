// Generates event-history.ndjson: a realistic, deterministic B2B lead history for backtesting
// templates/lead-scoring.scoring.json. Re-run with `npx tsx examples/scoring/generate-history.ts`;
// the same seed always writes the same file.
//
// Personas: cold leads (rare e-mail opens), warm leads (opens, some pricing visits), hot leads
// (pricing visits, then demo requests), churning leads (engage, then unsubscribe and go quiet),
// plus employees and customers whom the program excludes. Noise events (sessions, blog views)
// do not score.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatHistoryLine, type HistoryRecord } from '../../src/scoring/history.js';

const SEED = 20250101;
const USERS = 300;
const START = Date.parse('2025-01-01T00:00:00Z');
const DAYS = 90;
const DAY = 86_400_000;

/** mulberry32: tiny seeded PRNG, good enough for sample data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
/** Exponential gap (days) for a Poisson process with `perWeek` events a week. */
const gapDays = (perWeek: number) => (-Math.log(1 - random()) * 7) / perWeek;

type Persona = 'cold' | 'warm' | 'hot' | 'churning' | 'employee' | 'customer';
const PERSONAS: [Persona, number][] = [
  ['cold', 0.38],
  ['warm', 0.3],
  ['hot', 0.12],
  ['churning', 0.1],
  ['employee', 0.04],
  ['customer', 0.06],
];
function persona(): Persona {
  let r = random();
  for (const [p, w] of PERSONAS) if ((r -= w) < 0) return p;
  return 'cold';
}

/** Weekly rates per event kind while the persona is active. */
const RATES: Record<Persona, Record<string, number>> = {
  cold: { email_opened: 0.3, blog: 0.1, session_start: 0.1, pricing: 0.03 },
  warm: { email_opened: 0.9, blog: 0.3, session_start: 0.3, pricing: 0.25, demo: 0.015 },
  hot: { email_opened: 1.2, blog: 0.3, session_start: 0.6, pricing: 0.8, demo: 0.1 },
  churning: { email_opened: 0.9, blog: 0.2, session_start: 0.2, pricing: 0.2 },
  employee: { email_opened: 1.5, blog: 0.5, session_start: 1, pricing: 0.5, demo: 0.1 },
  customer: { email_opened: 0.8, session_start: 1, pricing: 0.2 },
};
const COMPANIES = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'tyrell', 'cyberdyne'];
const PRICING_PATHS = ['/pricing', '/pricing/enterprise', '/pricing?plan=team'];
const BLOG_PATHS = ['/blog/webhooks-101', '/blog/lead-scoring', '/docs/getting-started', '/'];
const CAMPAIGNS = ['newsletter-jan', 'newsletter-feb', 'newsletter-mar', 'webinar-invite', 'case-study'];

const iso = (t: number) => new Date(Math.round(t / 1000) * 1000).toISOString();

function eventFor(kind: string, externalId: string, t: number): HistoryRecord {
  const base = { kind: 'event' as const, externalId, time: iso(t) };
  switch (kind) {
    case 'email_opened':
      return { ...base, name: 'email_opened', properties: { campaign: pick(CAMPAIGNS) } };
    case 'pricing':
      return { ...base, name: 'page_viewed', properties: { path: pick(PRICING_PATHS) } };
    case 'blog':
      return { ...base, name: 'page_viewed', properties: { path: pick(BLOG_PATHS) } };
    case 'demo':
      return { ...base, name: 'demo_requested', properties: { source: pick(['pricing page', 'webinar', 'contact form']) } };
    default:
      return { ...base, name: kind, properties: {} };
  }
}

function userHistory(index: number): HistoryRecord[] {
  const id = `lead-${String(index + 1).padStart(4, '0')}`;
  const p = persona();
  const company = pick(COMPANIES);
  const email = p === 'employee' ? `user${index}@ourcompany.com` : `user${index}@${company}.example`;
  // Sign-ups spread over the first two thirds of the period.
  const signup = START + random() * DAYS * DAY * 0.66;
  const end = START + DAYS * DAY;
  const out: HistoryRecord[] = [
    { kind: 'attributes', externalId: id, time: iso(signup), attributes: { email, company, is_customer: p === 'customer' } },
  ];
  // Churning leads unsubscribe after two to five weeks and go quiet; cold leads fade out.
  const activeUntil = p === 'churning' ? signup + (14 + random() * 21) * DAY : p === 'cold' ? signup + (20 + random() * 60) * DAY : end;
  for (const [kind, perWeek] of Object.entries(RATES[p])) {
    let t = signup + gapDays(perWeek) * DAY;
    // Hot leads warm up: their demo requests come after a first look around.
    if (kind === 'demo' && p === 'hot') t += 7 * DAY;
    for (; t < Math.min(activeUntil, end); t += gapDays(perWeek) * DAY) out.push(eventFor(kind, id, t));
  }
  if (p === 'churning' && activeUntil < end) out.push({ kind: 'event', externalId: id, time: iso(activeUntil), name: 'unsubscribed', properties: {} });
  // A few warm and hot leads become customers late in the period.
  if ((p === 'hot' || p === 'warm') && random() < 0.1)
    out.push({ kind: 'attributes', externalId: id, time: iso(end - random() * 10 * DAY), attributes: { is_customer: true } });
  return out;
}

const records = Array.from({ length: USERS }, (_, i) => userHistory(i))
  .flat()
  .sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.externalId.localeCompare(b.externalId));
const target = join(dirname(fileURLToPath(import.meta.url)), 'event-history.ndjson');
writeFileSync(target, records.map(formatHistoryLine).join('\n') + '\n');
const events = records.filter((r) => r.kind !== 'attributes').length;
process.stdout.write(`wrote ${records.length} records (${events} events, ${USERS} users) to ${target}\n`);

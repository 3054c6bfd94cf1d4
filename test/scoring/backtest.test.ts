import { describe, expect, it } from 'vitest';
import { backtest, summarizeScores, type HistoryRecord } from '../../src/scoring/index.js';
import { at, program } from './fixtures.js';

const attrs = (user: string, day: number, attributes: Record<string, string | boolean>): HistoryRecord => ({
  kind: 'attributes',
  externalId: user,
  time: at(day).toISOString(),
  attributes,
});
const event = (user: string, day: number, name: string, properties: Record<string, string> = {}): HistoryRecord => ({
  kind: 'event',
  externalId: user,
  time: at(day).toISOString(),
  name,
  properties,
});

// Hand-computed: see the comments for each user's score path.
const history: HistoryRecord[] = [
  attrs('u1', 0, { email: 'a@acme.example' }), // enters, due day 30
  attrs('u2', 0, { email: 'b@ourcompany.com' }), // employee: never enters
  event('u1', 1, 'demo_requested'), // 30, due 31
  event('u1', 2, 'page_viewed', { path: '/pricing' }), // 40, due 32
  event('u1', 3, 'page_viewed', { path: '/blog' }), // no group
  event('u2', 5, 'demo_requested'), // excluded
  event('u3', 10, 'email_opened'), // not in the program yet
  attrs('u3', 11, { email: 'c@globex.example' }), // enters, due 41
  event('u3', 12, 'demo_requested'), // 30
  event('u3', 13, 'demo_requested'), // 60
  event('u3', 14, 'demo_requested'), // 90
  event('u3', 15, 'page_viewed', { path: '/pricing' }), // 100: not above 100
  event('u3', 16, 'email_opened'), // 105: crosses 100, due 46
  attrs('u4', 20, { email: 'd@initech.example', is_customer: true }), // customer: never enters
  event('u4', 21, 'demo_requested'), // excluded
  event('u1', 40, 'email_opened'), // decay at 32 -> 30, then 35, due 70
  event('u3', 50, 'unsubscribed'), // decay at 46 -> 95, then 75, due 80
  // until day 100: u1 decays at 70 (25) and 100 (15); u3 at 80 (65), next 110 is after until
];

describe('backtest', () => {
  it('replays a tiny history with hand-computed figures', () => {
    const r = backtest(program({ floor: 0 }), history, { threshold: 100, until: at(100), includeFinalScores: true });
    expect(r).toMatchObject({
      users: 4,
      participants: 2,
      excludedUsers: 2,
      events: 13,
      scoredEvents: 9,
      groupMatches: { 'requested demo': 4, 'visited pricing page': 2, 'opened email': 2, unsubscribed: 1 },
      decays: 5,
      crossedThreshold: 1,
      aboveThresholdAtEnd: 0,
      from: at(0).toISOString(),
      until: at(100).toISOString(),
      finalScores: { u1: 15, u3: 65 },
    });
    expect(r.scoreDistribution).toMatchObject({ count: 2, min: 15, max: 65, mean: 40 });
    expect(r.scoreDistribution.percentiles).toMatchObject({ p10: 15, p50: 15, p75: 65, p99: 65 });
    expect(r.scoreDistribution.buckets).toEqual([
      { min: 10, max: 20, count: 1 },
      { min: 20, max: 30, count: 0 },
      { min: 30, max: 40, count: 0 },
      { min: 40, max: 50, count: 0 },
      { min: 50, max: 60, count: 0 },
      { min: 60, max: 70, count: 1 },
    ]);
  });

  it('sorts records by time, so input order does not matter', () => {
    const reversed = [...history].reverse();
    const sorted = backtest(program({ floor: 0 }), history, { threshold: 100, until: at(100), includeFinalScores: true });
    const fromReversed = backtest(program({ floor: 0 }), reversed, { threshold: 100, until: at(100), includeFinalScores: true });
    // Reversing only reorders records at distinct times (none share an instant here).
    expect(fromReversed).toEqual(sorted);
  });

  it('decays only up to the last record when no until is given', () => {
    const r = backtest(program({ floor: 0 }), history, { threshold: 100, includeFinalScores: true });
    expect(r.until).toBe(at(50).toISOString());
    expect(r.finalScores).toEqual({ u1: 35, u3: 75 });
    expect(r.decays).toBe(2);
  });

  it('without entry triggers every user is in and the first event scores', () => {
    const r = backtest(program({ entry: undefined }), [event('x', 0, 'demo_requested'), event('x', 1, 'email_opened')], {
      threshold: 30,
      includeFinalScores: true,
    });
    expect(r.finalScores).toEqual({ x: 35 });
    expect(r.crossedThreshold).toBe(1);
  });

  it('an entry event lets the user in without scoring; later events score', () => {
    const p = program({ entry: { events: ['demo_requested'] } });
    const r = backtest(p, [event('x', 0, 'demo_requested'), event('x', 1, 'demo_requested')], { threshold: 100, includeFinalScores: true });
    expect(r.finalScores).toEqual({ x: 30 });
  });

  it('counts a user crossing twice once, and a user leaving via exclusion stops decaying', () => {
    const r = backtest(
      program({ entry: undefined }),
      [
        event('x', 0, 'demo_requested'),
        event('x', 1, 'demo_requested'), // 60 > 50: cross
        event('x', 2, 'unsubscribed'), // 40
        event('x', 3, 'demo_requested'), // 70: cross again, same user
        attrs('x', 4, { is_customer: true }),
      ],
      { threshold: 50, until: at(200), includeFinalScores: true },
    );
    expect(r.crossedThreshold).toBe(1);
    expect(r.excludedUsers).toBe(1);
    expect(r.decays).toBe(0);
  });

  it('summarizes an empty population and widens buckets over wide ranges', () => {
    expect(summarizeScores([])).toMatchObject({ count: 0, min: null, buckets: [] });
    const wide = summarizeScores([0, 1000], 10);
    expect(wide.buckets.length).toBeLessThanOrEqual(40);
    expect(wide.buckets.reduce((n, b) => n + b.count, 0)).toBe(2);
  });
});

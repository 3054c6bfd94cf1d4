import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../src/domain/index.js';
import { applyDecay, decayKey, nextDecayDue, planDecay, scoreEvent, type ScoringProgram } from '../../src/scoring/index.js';
import { at, program, T0 } from './fixtures.js';

/**
 * A miniature of the service's decay table: one row per user holding dueAt, applied with a
 * compare-and-set on dueAt together with the profile update.
 */
class DecayTable {
  rows = new Map<string, number>();
  profiles = new Map<string, Attributes>();
  applied: string[] = [];
  constructor(readonly program: ScoringProgram) {}

  action(user: string, name: string, now: Date) {
    const attrs = this.profiles.get(user) ?? {};
    const r = scoreEvent(this.program, attrs, { name, properties: {} }, now);
    if (!r) return;
    this.profiles.set(user, { ...attrs, [this.program.attribute]: r.score });
    const due = nextDecayDue(this.program, now);
    if (due) this.rows.set(user, due.getTime()); // a qualifying action resets the schedule
  }

  /** Phase 1 of a worker: read due rows. */
  claim(now: Date) {
    return [...this.rows].filter(([, due]) => due <= now.getTime()).map(([user, due]) => ({ user, due }));
  }

  /** Phase 2: apply one claimed row; fails when another worker already moved the row. */
  commit(claim: { user: string; due: number }): boolean {
    if (this.rows.get(claim.user) !== claim.due) return false;
    const d = applyDecay(this.program, this.profiles.get(claim.user) ?? {}, new Date(claim.due));
    this.profiles.set(claim.user, { ...this.profiles.get(claim.user), [this.program.attribute]: d.score });
    if (d.nextDueAt) this.rows.set(claim.user, d.nextDueAt.getTime());
    else this.rows.delete(claim.user);
    this.applied.push(decayKey(this.program.name, claim.user, new Date(claim.due)));
    return true;
  }

  /** A worker pass: keeps applying until nothing is due (catches up after downtime). */
  tick(now: Date) {
    for (let claims = this.claim(now); claims.length > 0; claims = this.claim(now)) for (const c of claims) this.commit(c);
  }

  score(user: string) {
    return this.profiles.get(user)?.[this.program.attribute];
  }
}

describe('inactivity decay schedule', () => {
  it('is due one window after the last qualifying action', () => {
    expect(nextDecayDue(program(), at(3))?.toISOString()).toBe(at(33).toISOString());
    expect(nextDecayDue(program({ inactivity: undefined }), at(3))).toBeNull();
    expect(nextDecayDue(program({ enabled: false }), at(3))).toBeNull();
  });

  it('decrements once per window with an hourly fake clock: no double, none missed', () => {
    const table = new DecayTable(program());
    table.action('u', 'demo_requested', at(0)); // 30
    table.action('u', 'demo_requested', at(0)); // 60
    const scores: [number, unknown][] = [];
    for (let h = 1; h <= 100 * 24; h++) {
      const before = table.score('u');
      table.tick(new Date(T0 + h * 3_600_000));
      table.tick(new Date(T0 + h * 3_600_000)); // a second pass at the same instant changes nothing
      if (table.score('u') !== before) scores.push([h / 24, table.score('u')]);
    }
    expect(scores).toEqual([
      [30, 50],
      [60, 40],
      [90, 30],
    ]);
    expect(new Set(table.applied).size).toBe(table.applied.length);
  });

  it('catches up every missed window after downtime, in order', () => {
    const table = new DecayTable(program());
    table.action('u', 'demo_requested', at(0));
    table.action('u', 'demo_requested', at(0));
    table.tick(at(95)); // worker was down for 95 days: three windows ended (30, 60, 90)
    expect(table.score('u')).toBe(30);
    expect(table.applied).toEqual([30, 60, 90].map((d) => decayKey('Lead scoring', 'u', at(d))));
    expect(table.rows.get('u')).toBe(at(120).getTime());
  });

  it('two racing workers apply each due row exactly once', () => {
    const table = new DecayTable(program());
    table.action('u', 'demo_requested', at(0));
    const a = table.claim(at(31));
    const b = table.claim(at(31));
    expect(a.map((c) => table.commit(c))).toEqual([true]);
    expect(b.map((c) => table.commit(c))).toEqual([false]);
    expect(table.score('u')).toBe(20);
  });

  it('a qualifying action resets the window', () => {
    const table = new DecayTable(program());
    table.action('u', 'demo_requested', at(0));
    table.tick(at(29));
    table.action('u', 'email_opened', at(29)); // 35, next due day 59
    table.tick(at(58));
    expect(table.score('u')).toBe(35);
    table.tick(at(59));
    expect(table.score('u')).toBe(25);
    table.action('u', 'unsubscribed', at(70)); // negative actions are actions too: 5, next due day 100
    table.tick(at(99));
    expect(table.score('u')).toBe(5);
    table.tick(at(100));
    expect(table.score('u')).toBe(-5);
  });

  it('stops at the floor with a set, and keeps the schedule running', () => {
    const p = program({ floor: 0 });
    const d = applyDecay(p, { 'lead score': 4 }, at(30));
    expect(d).toMatchObject({ points: -4, score: 0, ops: { 'lead score': { op: 'set', value: 0 } } });
    expect(d.nextDueAt?.toISOString()).toBe(at(60).toISOString());
    const again = applyDecay(p, { 'lead score': 0 }, at(60));
    expect(again).toMatchObject({ points: 0, score: 0, ops: {} });
    expect(applyDecay(program(), { 'lead score': 4 }, at(30)).ops).toEqual({ 'lead score': { op: 'inc', by: -10 } });
  });

  it('excluded users get no decrement and leave the schedule', () => {
    const d = applyDecay(program(), { 'lead score': 50, is_customer: true }, at(30));
    expect(d).toMatchObject({ points: 0, score: 50, ops: {}, nextDueAt: null, excludedBy: 'customers' });
  });

  it('planDecay counts the windows owed by now', () => {
    expect(planDecay(program(), at(0), at(29.9))).toEqual({ firstDue: at(30), overdue: 0, nextAfterNow: at(30) });
    expect(planDecay(program(), at(0), at(30))).toEqual({ firstDue: at(30), overdue: 1, nextAfterNow: at(60) });
    expect(planDecay(program(), at(0), at(95))).toEqual({ firstDue: at(30), overdue: 3, nextAfterNow: at(120) });
    expect(planDecay(program({ inactivity: { window_seconds: 60, points: -1 } }), at(0), new Date(T0 + 150_000)).overdue).toBe(2);
    expect(planDecay(program({ inactivity: undefined }), at(0), at(95))).toEqual({ firstDue: null, overdue: 0, nextAfterNow: null });
  });
});

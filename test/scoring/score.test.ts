import { describe, expect, it } from 'vitest';
import { entryTriggered, isExcluded, readScore, scoreEvent, scoreEventForPrograms } from '../../src/scoring/index.js';
import { at, program } from './fixtures.js';

const lead = { email: 'ana@acme.example', 'lead score': 40 };
const ev = (name: string, properties: Record<string, string | number> = {}) => ({ name, properties });
const now = at(0);

describe('scoreEvent: action groups', () => {
  it('increments by the group points with an inc op', () => {
    const r = scoreEvent(program(), lead, ev('demo_requested'), now);
    expect(r).toMatchObject({ group: 'requested demo', points: 30, before: 40, score: 70 });
    expect(r!.ops).toEqual({ 'lead score': { op: 'inc', by: 30 } });
    expect(scoreEvent(program(), lead, ev('email_opened'), now)!.ops).toEqual({ 'lead score': { op: 'inc', by: 5 } });
  });

  it('decrements for a negative group', () => {
    const r = scoreEvent(program(), lead, ev('unsubscribed'), now);
    expect(r).toMatchObject({ group: 'unsubscribed', points: -20, score: 20 });
    expect(r!.ops).toEqual({ 'lead score': { op: 'inc', by: -20 } });
  });

  it('applies property filters: only pricing pages score', () => {
    expect(scoreEvent(program(), lead, ev('page_viewed', { path: '/pricing/enterprise' }), now)?.points).toBe(10);
    expect(scoreEvent(program(), lead, ev('page_viewed', { path: '/blog' }), now)).toBeNull();
    expect(scoreEvent(program(), lead, ev('page_viewed'), now)).toBeNull();
  });

  it('an event listed by several groups scores in the first matching group only', () => {
    const p = program({
      action_groups: [
        { name: 'big pricing', events: [{ name: 'page_viewed', property_filters: [{ attribute: 'plan', operator: 'equals', value: 'enterprise' }] }], points: 20 },
        { name: 'any page', events: [{ name: 'page_viewed' }], points: 1 },
        { name: 'also any page', events: [{ name: 'page_viewed' }], points: 50 },
      ],
    });
    expect(scoreEvent(p, lead, ev('page_viewed', { plan: 'enterprise' }), now)).toMatchObject({ group: 'big pricing', points: 20 });
    expect(scoreEvent(p, lead, ev('page_viewed', { plan: 'team' }), now)).toMatchObject({ group: 'any page', points: 1 });
  });

  it('ignores events no group lists, disabled programs and users not yet in', () => {
    expect(scoreEvent(program(), lead, ev('session_start'), now)).toBeNull();
    expect(scoreEvent(program({ enabled: false }), lead, ev('demo_requested'), now)).toBeNull();
    expect(scoreEvent(program(), lead, ev('demo_requested'), now, { entered: false })).toBeNull();
  });

  it('starts from 0 when the score is absent, and reads numeric strings', () => {
    expect(scoreEvent(program(), { email: 'a@b.c' }, ev('email_opened'), now)).toMatchObject({ before: 0, score: 5 });
    expect(readScore({ 'lead score': '12' }, 'lead score')).toBe(12);
    expect(readScore({ 'lead score': 'high' }, 'lead score')).toBe(0);
  });
});

describe('scoreEvent: exclusions', () => {
  it('employees (email contains @ourcompany.com) get nothing', () => {
    expect(scoreEvent(program(), { email: 'bob@ourcompany.com' }, ev('demo_requested'), now)).toBeNull();
    // contains is case-sensitive, as in campaign audiences; a regex covers other spellings.
    expect(scoreEvent(program(), { email: 'Bob@OurCompany.com' }, ev('demo_requested'), now)).not.toBeNull();
    const anyCase = program({ exclusions: [{ name: 'employees', attribute: 'email', operator: 'matches_regex', value: '@[Oo]ur[Cc]ompany\\.com$' }] });
    expect(scoreEvent(anyCase, { email: 'Bob@OurCompany.com' }, ev('demo_requested'), now)).toBeNull();
  });

  it('customers (is_customer equals true) get nothing; is_customer false still scores', () => {
    expect(scoreEvent(program(), { ...lead, is_customer: true }, ev('demo_requested'), now)).toBeNull();
    expect(scoreEvent(program(), { ...lead, is_customer: false }, ev('demo_requested'), now)).not.toBeNull();
  });

  it('any one exclusion excludes; relative dates are anchored at now', () => {
    const p = program({
      exclusions: [
        { attribute: 'plan', operator: 'is_any_of', values: ['enterprise', 'team'] },
        { attribute: 'last_purchase', operator: 'after', value: 'now-30d' },
      ],
    });
    expect(isExcluded(p.exclusions, { plan: 'team' }, now)).toBe(true);
    expect(isExcluded(p.exclusions, { plan: 'free' }, now)).toBe(false);
    expect(isExcluded(p.exclusions, { last_purchase: at(-10).toISOString() }, now)).toBe(true);
    expect(isExcluded(p.exclusions, { last_purchase: at(-10).toISOString() }, at(25))).toBe(false);
    expect(scoreEvent(p, { last_purchase: at(-10).toISOString() }, ev('demo_requested'), at(25))?.points).toBe(30);
  });

  it('property filters use the audience operators on event properties', () => {
    const p = program({
      action_groups: [
        { name: 'big order', events: [{ name: 'quote_requested', property_filters: [{ attribute: 'seats', operator: 'greater_than', value: 50 }] }], points: 15 },
      ],
    });
    expect(scoreEvent(p, lead, ev('quote_requested', { seats: 80 }), now)?.points).toBe(15);
    expect(scoreEvent(p, lead, ev('quote_requested', { seats: 10 }), now)).toBeNull();
    expect(scoreEvent(p, lead, ev('quote_requested', { seats: '80' }), now)).toBeNull();
  });
});

describe('scoreEvent: floor and ceiling', () => {
  it('clamps at the ceiling with a set op', () => {
    const r = scoreEvent(program({ ceiling: 50 }), lead, ev('demo_requested'), now);
    expect(r).toMatchObject({ points: 10, score: 50 });
    expect(r!.ops).toEqual({ 'lead score': { op: 'set', value: 50 } });
  });

  it('clamps at the floor with a set op, and changes nothing once at the floor', () => {
    const r = scoreEvent(program({ floor: 0 }), { 'lead score': 15 }, ev('unsubscribed'), now);
    expect(r).toMatchObject({ points: -15, score: 0 });
    expect(r!.ops).toEqual({ 'lead score': { op: 'set', value: 0 } });
    const atFloor = scoreEvent(program({ floor: 0 }), { 'lead score': 0 }, ev('unsubscribed'), now);
    expect(atFloor).toMatchObject({ points: 0, score: 0, group: 'unsubscribed' });
    expect(atFloor!.ops).toEqual({});
  });

  it('keeps an inc when the bounds are not reached', () => {
    expect(scoreEvent(program({ floor: 0, ceiling: 100 }), lead, ev('email_opened'), now)!.ops).toEqual({ 'lead score': { op: 'inc', by: 5 } });
  });
});

describe('several programs', () => {
  it('sum increments on the same attribute, each program in order', () => {
    const a = program({ name: 'a' });
    const b = program({ name: 'b', action_groups: [{ name: 'demo bonus', events: [{ name: 'demo_requested' }], points: 7 }] });
    const r = scoreEventForPrograms([a, b], lead, ev('demo_requested'), now);
    expect(r.ops).toEqual({ 'lead score': { op: 'inc', by: 37 } });
    expect(r.results.map((x) => x.program)).toEqual(['a', 'b']);
    expect(r.attributes['lead score']).toBe(77);
  });

  it('become a set when one clamps, and keep separate attributes apart', () => {
    const a = program({ name: 'a', ceiling: 60 });
    const b = program({ name: 'b', attribute: 'product score' });
    const c = program({ name: 'c' });
    const r = scoreEventForPrograms([a, b, c], lead, ev('demo_requested'), now);
    expect(r.ops).toEqual({ 'lead score': { op: 'set', value: 90 }, 'product score': { op: 'inc', by: 30 } });
  });
});

describe('entryTriggered', () => {
  it('lets users in on listed attribute changes or events; any event without entry', () => {
    const p = program();
    expect(entryTriggered(p, { changedAttributes: ['email'] })).toBe(true);
    expect(entryTriggered(p, { changedAttributes: ['company'] })).toBe(false);
    expect(entryTriggered(p, { event: 'demo_requested' })).toBe(false);
    expect(entryTriggered(program({ entry: { events: ['signed_up'] } }), { event: 'signed_up' })).toBe(true);
    expect(entryTriggered(program({ entry: undefined }), { event: 'anything' })).toBe(true);
  });
});

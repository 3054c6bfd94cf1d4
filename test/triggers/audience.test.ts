import { describe, expect, it, vi } from 'vitest';
import { FilterSchema, matchesAudience, matchesFilter, resolveMoment, type Filter } from '../../src/triggers/index.js';
import { RE2JS } from 're2js';
import type { Json } from '../../src/domain/index.js';
import { compileFilterRegex } from '../../src/triggers/regex.js';

const NOW = new Date('2030-06-15T12:00:00.000Z');
const f = (filter: unknown): Filter => FilterSchema.parse({ attribute: 'a', ...(filter as object) });
const check = (filter: unknown, value: Json | undefined) => matchesFilter(f(filter), value, NOW);

describe('audience filter operators', () => {
  it('equals / not_equals (deep; missing matches only the negation)', () => {
    expect(check({ operator: 'equals', value: 'MQL' }, 'MQL')).toBe(true);
    expect(check({ operator: 'equals', value: 'MQL' }, 'mql')).toBe(false);
    expect(check({ operator: 'equals', value: { x: [1] } }, { x: [1] })).toBe(true);
    expect(check({ operator: 'equals', value: 1 }, undefined)).toBe(false);
    expect(check({ operator: 'not_equals', value: 'MQL' }, 'SQL')).toBe(true);
    expect(check({ operator: 'not_equals', value: 'MQL' }, 'MQL')).toBe(false);
    expect(check({ operator: 'not_equals', value: 'MQL' }, undefined)).toBe(true);
  });

  it('is_any_of / is_none_of', () => {
    expect(check({ operator: 'is_any_of', values: ['a', 'b'] }, 'b')).toBe(true);
    expect(check({ operator: 'is_any_of', values: ['a', 'b'] }, 'c')).toBe(false);
    expect(check({ operator: 'is_any_of', values: ['a'] }, null)).toBe(false);
    expect(check({ operator: 'is_none_of', values: ['MQL'] }, 'New')).toBe(true);
    expect(check({ operator: 'is_none_of', values: ['MQL'] }, 'MQL')).toBe(false);
    expect(check({ operator: 'is_none_of', values: ['MQL'] }, undefined)).toBe(true);
  });

  it('numeric comparisons only match numbers', () => {
    expect(check({ operator: 'greater_than', value: 100 }, 101)).toBe(true);
    expect(check({ operator: 'greater_than', value: 100 }, 100)).toBe(false);
    expect(check({ operator: 'greater_than', value: 100 }, '101')).toBe(false);
    expect(check({ operator: 'greater_than_or_equal', value: 100 }, 100)).toBe(true);
    expect(check({ operator: 'less_than', value: 0 }, -1)).toBe(true);
    expect(check({ operator: 'less_than', value: 0 }, undefined)).toBe(false);
    expect(check({ operator: 'less_than_or_equal', value: 0 }, 0)).toBe(true);
    expect(check({ operator: 'less_than_or_equal', value: 0 }, 1)).toBe(false);
  });

  it('exists / does_not_exist (an empty array counts as no value)', () => {
    expect(check({ operator: 'exists' }, 0)).toBe(true);
    expect(check({ operator: 'exists' }, false)).toBe(true);
    expect(check({ operator: 'exists' }, null)).toBe(false);
    expect(check({ operator: 'exists' }, [])).toBe(false);
    expect(check({ operator: 'does_not_exist' }, undefined)).toBe(true);
    expect(check({ operator: 'does_not_exist' }, '')).toBe(false);
  });

  it('contains / does_not_contain on strings and arrays', () => {
    expect(check({ operator: 'contains', value: 'cme' }, 'ACME')).toBe(false);
    expect(check({ operator: 'contains', value: 'CM' }, 'ACME')).toBe(true);
    expect(check({ operator: 'contains', value: 'x' }, ['x', 'y'])).toBe(true);
    expect(check({ operator: 'contains', value: 'x' }, ['xy'])).toBe(false);
    expect(check({ operator: 'does_not_contain', value: 'x' }, ['y'])).toBe(true);
    expect(check({ operator: 'does_not_contain', value: 'x' }, undefined)).toBe(true);
    expect(check({ operator: 'does_not_contain', value: 'x' }, ['x'])).toBe(false);
  });

  it('includes_any_of / includes_none_of on arrays', () => {
    expect(check({ operator: 'includes_any_of', values: ['a', 'z'] }, ['z'])).toBe(true);
    expect(check({ operator: 'includes_any_of', values: ['a'] }, ['b'])).toBe(false);
    expect(check({ operator: 'includes_none_of', values: ['a'] }, ['b'])).toBe(true);
    expect(check({ operator: 'includes_none_of', values: ['a'] }, ['a', 'b'])).toBe(false);
  });

  it('matches_regex / does_not_match_regex', () => {
    expect(check({ operator: 'matches_regex', value: '@example\\.com$' }, 'ada@example.com')).toBe(true);
    expect(check({ operator: 'matches_regex', value: '^x' }, 'ada')).toBe(false);
    expect(check({ operator: 'matches_regex', value: '.' }, 5)).toBe(false);
    expect(check({ operator: 'does_not_match_regex', value: '^x' }, 'ada')).toBe(true);
    // JavaScript spellings keep working (\u escapes, \d, named groups, inline flags).
    expect(check({ operator: 'matches_regex', value: '^caf\\u00e9$' }, 'café')).toBe(true);
    expect(check({ operator: 'matches_regex', value: '(?<year>\\d{4})-\\d{2}' }, 'since 2024-05')).toBe(true);
    expect(check({ operator: 'matches_regex', value: '(?i)^vip' }, 'VIP gold')).toBe(true);
  });

  it('regex filters run on the linear-time engine (re2js), so a catastrophic pattern cannot stall intake', () => {
    const compiled = compileFilterRegex('^(a+)+$');
    expect(compiled.ok && compiled.regex).toBeInstanceOf(RE2JS);
    // The filter really matches with it (checked on a harmless value before the hostile one).
    const engine = vi.spyOn(RE2JS.prototype, 'test');
    expect(check({ operator: 'matches_regex', value: '^(a+)+$' }, 'aaa')).toBe(true);
    expect(engine).toHaveBeenCalledWith('aaa');
    engine.mockRestore();
    // A backtracking engine needs on the order of 2^10000 steps for this value.
    const hostile = `${'a'.repeat(10_000)}!`;
    expect(check({ operator: 'matches_regex', value: '^(a+)+$' }, hostile)).toBe(false);
    expect(check({ operator: 'does_not_match_regex', value: '^(a+)+$' }, hostile)).toBe(true);
    expect(check({ operator: 'matches_regex', value: '^(a+)+$' }, 'a'.repeat(10_000))).toBe(true);
    expect(check({ operator: 'matches_regex', value: '(x+x+)+y' }, 'x'.repeat(5_000))).toBe(false);
  });

  it('is_true / is_false only match booleans', () => {
    expect(check({ operator: 'is_true' }, true)).toBe(true);
    expect(check({ operator: 'is_true' }, 'true')).toBe(false);
    expect(check({ operator: 'is_false' }, false)).toBe(true);
    expect(check({ operator: 'is_false' }, undefined)).toBe(false);
  });

  it('before / after with ISO dates and relative times', () => {
    expect(check({ operator: 'before', value: '2030-01-01' }, '2029-12-31T23:59:59Z')).toBe(true);
    expect(check({ operator: 'before', value: '2030-01-01' }, '2030-01-01T00:00:01Z')).toBe(false);
    expect(check({ operator: 'after', value: 'now-7d' }, '2030-06-10T00:00:00Z')).toBe(true);
    expect(check({ operator: 'after', value: 'now-7d' }, '2030-06-01T00:00:00Z')).toBe(false);
    expect(check({ operator: 'before', value: 'now' }, '2030-06-15T11:59:59Z')).toBe(true);
    expect(check({ operator: 'before', value: 'now' }, 'not a date')).toBe(false);
    expect(check({ operator: 'after', value: '2000-01-01' }, 12345)).toBe(false);
  });

  it('more_than_days_ago / less_than_days_ago', () => {
    expect(check({ operator: 'more_than_days_ago', value: 30 }, '2030-05-01T00:00:00Z')).toBe(true);
    expect(check({ operator: 'more_than_days_ago', value: 30 }, '2030-06-01T00:00:00Z')).toBe(false);
    expect(check({ operator: 'less_than_days_ago', value: 30 }, '2030-06-01T00:00:00Z')).toBe(true);
    expect(check({ operator: 'less_than_days_ago', value: 30 }, '2030-07-01T00:00:00Z')).toBe(false);
  });

  it('resolveMoment handles every unit', () => {
    expect(resolveMoment('now+1h', NOW)).toBe(NOW.getTime() + 3600e3);
    expect(resolveMoment('now-2w', NOW)).toBe(NOW.getTime() - 14 * 86400e3);
    expect(resolveMoment('now+30s', NOW)).toBe(NOW.getTime() + 30e3);
    expect(resolveMoment('now-5m', NOW)).toBe(NOW.getTime() - 300e3);
  });
});

describe('matchesAudience', () => {
  it('requires every filter; empty audience matches all; names may contain spaces', () => {
    const audience = [f({ attribute: 'lead_status', operator: 'is_none_of', values: ['MQL'] }), f({ attribute: 'lead score', operator: 'greater_than', value: 50 })];
    expect(matchesAudience(audience, { 'lead score': 60 }, NOW)).toBe(true);
    expect(matchesAudience(audience, { 'lead score': 60, lead_status: 'MQL' }, NOW)).toBe(false);
    expect(matchesAudience(audience, { 'lead score': 40 }, NOW)).toBe(false);
    expect(matchesAudience([], {}, NOW)).toBe(true);
  });

  it('does not read inherited properties', () => {
    expect(matchesAudience([f({ attribute: 'toString', operator: 'exists' })], {}, NOW)).toBe(false);
  });
});

describe('FilterSchema', () => {
  it('refuses a regex the linear-time engine cannot run (backreferences, lookaround), saying why', () => {
    for (const value of ['(a)\\1', '(?=x)y', '(?<!x)y']) {
      const result = FilterSchema.safeParse({ attribute: 'a', operator: 'matches_regex', value });
      expect(result.success, value).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(['value']);
      expect(result.error!.issues[0]!.message).toMatch(/RE2 syntax .*no backreferences or lookaround\): error parsing regexp/);
    }
  });

  it('checks that each operator gets the operand it needs', () => {
    const bad = (filter: unknown) => FilterSchema.safeParse({ attribute: 'a', ...(filter as object) }).success;
    expect(bad({ operator: 'is_any_of' })).toBe(false);
    expect(bad({ operator: 'is_any_of', values: [] })).toBe(false);
    expect(bad({ operator: 'equals', values: ['x'] })).toBe(false);
    expect(bad({ operator: 'equals' })).toBe(false);
    expect(bad({ operator: 'exists', value: 1 })).toBe(false);
    expect(bad({ operator: 'greater_than', value: '5' })).toBe(false);
    expect(bad({ operator: 'matches_regex', value: '(' })).toBe(false);
    expect(bad({ operator: 'matches_regex', value: 7 })).toBe(false);
    expect(bad({ operator: 'before', value: 'last week' })).toBe(false);
    expect(bad({ operator: 'unknown_op', value: 1 })).toBe(false);
    expect(bad({ operator: 'equals', value: null })).toBe(true);
    expect(bad({ operator: 'before', value: 'now-3d' })).toBe(true);
  });
});

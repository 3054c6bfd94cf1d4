import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inactivityWindowMs, parseScoringProgram, ScoringProgramError, ScoringProgramSchema } from '../../src/scoring/index.js';
import { guideProgramInput } from './fixtures.js';

function issuesOf(input: unknown) {
  try {
    parseScoringProgram(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ScoringProgramError);
    return (e as ScoringProgramError).issues;
  }
  throw new Error('expected the program to be rejected');
}

const group = (i: number) => ({ name: `g${i}`, events: [{ name: `e${i}` }], points: i + 1 });

describe('ScoringProgramSchema', () => {
  it('fills defaults: attribute "lead score", enabled, no exclusions', () => {
    const p = parseScoringProgram({ name: 'p', action_groups: [group(0)] });
    expect(p.attribute).toBe('lead score');
    expect(p.enabled).toBe(true);
    expect(p.exclusions).toEqual([]);
  });

  it('accepts the committed example program', () => {
    const raw = JSON.parse(readFileSync(new URL('../../templates/lead-scoring.scoring.json', import.meta.url), 'utf8'));
    const p = parseScoringProgram(raw);
    expect(p.action_groups.map((g) => g.points)).toEqual([30, 10, 5, -20]);
    expect(inactivityWindowMs(p)).toBe(30 * 86_400_000);
  });

  it('accepts eight action groups and rejects nine at action_groups', () => {
    const eight = { name: 'p', action_groups: Array.from({ length: 8 }, (_, i) => group(i)) };
    expect(ScoringProgramSchema.safeParse(eight).success).toBe(true);
    const issues = issuesOf({ name: 'p', action_groups: Array.from({ length: 9 }, (_, i) => group(i)) });
    expect(issues).toEqual([{ path: 'action_groups', message: 'Action Paths allow at most 8 action groups' }]);
  });

  it('reports nested paths for bad groups and filters', () => {
    const issues = issuesOf({
      name: 'p',
      action_groups: [
        group(0),
        { name: 'bad', events: [{ name: 'x', property_filters: [{ attribute: 'amount', operator: 'greater_than', value: 'ten' }] }], points: 1.5 },
      ],
    });
    expect(issues.map((i) => i.path).sort()).toEqual(['action_groups[1].events[0].property_filters[0].value', 'action_groups[1].points']);
  });

  it('rejects zero points, positive inactivity, both or neither windows, floor above ceiling, duplicate names', () => {
    expect(issuesOf({ name: 'p', action_groups: [{ ...group(0), points: 0 }] })[0]!.path).toBe('action_groups[0].points');
    expect(issuesOf({ name: 'p', action_groups: [group(0)], inactivity: { window_days: 30, points: 10 } })[0]!.path).toBe('inactivity.points');
    expect(issuesOf({ name: 'p', action_groups: [group(0)], inactivity: { window_days: 1, window_seconds: 5, points: -1 } })[0]!.path).toBe(
      'inactivity.window_days',
    );
    expect(issuesOf({ name: 'p', action_groups: [group(0)], inactivity: { points: -1 } })[0]!.path).toBe('inactivity.window_days');
    expect(issuesOf({ name: 'p', action_groups: [group(0)], floor: 10, ceiling: 5 })[0]!.path).toBe('ceiling');
    expect(issuesOf({ name: 'p', action_groups: [group(0), { ...group(1), name: 'g0' }] })[0]!.path).toBe('action_groups[1].name');
  });

  it('rejects unknown keys, empty groups, empty entry and operands missing for the operator', () => {
    expect(issuesOf({ name: 'p', action_groups: [group(0)], bogus: 1 })[0]!.message).toMatch(/bogus/);
    expect(issuesOf({ name: 'p', action_groups: [] })[0]!.path).toBe('action_groups');
    expect(issuesOf({ name: 'p', action_groups: [group(0)], entry: {} })[0]!.path).toBe('entry');
    expect(issuesOf({ ...guideProgramInput, exclusions: [{ attribute: 'plan', operator: 'is_any_of' }] })[0]!.path).toBe('exclusions[0].values');
    expect(issuesOf({ ...guideProgramInput, exclusions: [{ attribute: 'signed_up', operator: 'before', value: 'soon' }] })[0]!.path).toBe(
      'exclusions[0].value',
    );
  });

  it('window_seconds gives a window in milliseconds; no inactivity gives none', () => {
    expect(inactivityWindowMs(parseScoringProgram({ name: 'p', action_groups: [group(0)], inactivity: { window_seconds: 90, points: -1 } }))).toBe(90_000);
    expect(inactivityWindowMs(parseScoringProgram({ name: 'p', action_groups: [group(0)] }))).toBeUndefined();
  });
});

// The enricher's prepared programs give the same answers as the reference scoring functions,
// and an exclusion on the score itself is checked again after every score change.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileProgram, compiledActionGroup, entryByAttributes, entryByEvent } from '../../src/scoring/compiled.js';
import { entryTriggered, matchActionGroup, scoringEnricher } from '../../src/scoring/index.js';
import type { EnrichInput, UserEvent } from '../../src/domain/index.js';
import { at, program } from './fixtures.js';

const NAMES = ['demo_requested', 'page_viewed', 'email_opened', 'unsubscribed', 'other'];
// Two groups list page_viewed with different filters: the first matching group in program order wins.
const overlapping = program({
  entry: undefined,
  action_groups: [
    { name: 'docs', events: [{ name: 'page_viewed', property_filters: [{ attribute: 'path', operator: 'contains', value: '/docs' }] }], points: 2 },
    { name: 'pricing', events: [{ name: 'page_viewed', property_filters: [{ attribute: 'path', operator: 'contains', value: '/pricing' }] }, { name: 'demo_requested' }], points: 10 },
    { name: 'any page', events: [{ name: 'page_viewed' }], points: 1 },
  ],
});

describe('prepared scoring programs', () => {
  it('match the same action group and entry triggers as the reference functions', () => {
    const paths = fc.constantFrom('/pricing', '/docs/pricing', '/blog', '');
    fc.assert(
      fc.property(fc.constantFrom(NAMES[0]!, ...NAMES.slice(1)), paths, fc.subarray(['email', 'lead score', 'company']), (name, path, changed) => {
        for (const p of [program(), overlapping]) {
          const compiled = compileProgram(p);
          const event = { name, properties: { path } };
          expect(compiledActionGroup(compiled, event, at(0))).toBe(matchActionGroup(p, event, at(0)));
          expect(entryByEvent(compiled, name)).toBe(entryTriggered(p, { event: name }));
          expect(entryByAttributes(compiled, changed)).toBe(entryTriggered(p, { changedAttributes: changed }));
        }
      }),
    );
  });

  it('checks an exclusion on the score again after each change', () => {
    const capped = program({
      entry: undefined,
      exclusions: [{ name: 'hot', attribute: 'lead score', operator: 'greater_than', value: 40 }],
    });
    const event = (name: string): UserEvent => ({ externalId: 'u1', name, time: at(0).toISOString(), properties: {} });
    const input: EnrichInput = {
      externalId: 'u1',
      before: {},
      after: {},
      changes: [],
      events: ['demo_requested', 'demo_requested', 'demo_requested', 'demo_requested'].map(event),
      purchases: [],
      memberships: [{ programId: 'p', externalId: 'u1', enteredAt: at(-1).toISOString(), dueAt: at(29).toISOString() }],
    };
    const enrichment = scoringEnricher([{ id: 'p', program: capped }], at(0))(input);
    // 0 -> 30 -> 60, then the profile is excluded (60 > 40) and the last two events do not score.
    expect(enrichment.exports.map((e) => e.data.after)).toEqual([30, 60]);
    expect(enrichment.ops).toEqual([{ 'lead score': { op: 'inc', by: 30 } }, { 'lead score': { op: 'inc', by: 30 } }]);
    expect(input.after).toEqual({}); // the caller's profile is not modified
  });
});

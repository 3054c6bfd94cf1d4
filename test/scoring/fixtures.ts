// Shared test programs.
import { parseScoringProgram, type ScoringProgramInput } from '../../src/scoring/index.js';

export const guideProgramInput: ScoringProgramInput = {
  name: 'Lead scoring',
  entry: { attribute_changes: ['lead score', 'email'] },
  exclusions: [
    { name: 'employees', attribute: 'email', operator: 'contains', value: '@ourcompany.com' },
    { name: 'customers', attribute: 'is_customer', operator: 'equals', value: true },
  ],
  action_groups: [
    { name: 'requested demo', events: [{ name: 'demo_requested' }], points: 30 },
    {
      name: 'visited pricing page',
      events: [{ name: 'page_viewed', property_filters: [{ attribute: 'path', operator: 'contains', value: '/pricing' }] }],
      points: 10,
    },
    { name: 'opened email', events: [{ name: 'email_opened' }], points: 5 },
    { name: 'unsubscribed', events: [{ name: 'unsubscribed' }], points: -20 },
  ],
  inactivity: { window_days: 30, points: -10 },
};

export function program(overrides: Partial<ScoringProgramInput> = {}) {
  return parseScoringProgram({ ...guideProgramInput, ...overrides });
}

export const DAY = 86_400_000;
export const T0 = Date.parse('2025-01-01T00:00:00Z');
export const at = (days: number) => new Date(T0 + days * DAY);

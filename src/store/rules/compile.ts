// The rules of a change as the planning code runs them: the campaign planner (triggers) and the
// scoring enricher and decay (scoring), both pure and below the store in the import graph. The
// store receives campaigns and programs as data and calls nothing above itself.
import type { DueHandler, NewExportEvent } from '../../domain/index.js';
import { decayHandler, scoringEnricher } from '../../scoring/index.js';
import { planSends } from '../../triggers/index.js';
import type { ChangeRules } from '../ports.js';
import type { TrackRules } from './track.js';

/** The planner and enricher of `rules` evaluated at `at`; no enricher without an enabled program. */
export function trackRules(rules: ChangeRules, at: Date): TrackRules {
  const { campaigns } = rules;
  const track: TrackRules = { planner: (activity) => planSends(campaigns, activity, at) };
  if (rules.programs.some((entry) => entry.program.enabled)) track.enricher = scoringEnricher(rules.programs, at);
  return track;
}

/** The inactivity decay of the programs in `rules`. */
export function dueHandler(rules: ChangeRules): DueHandler {
  const programs = new Map(rules.programs.map((entry) => [entry.id, entry]));
  return decayHandler((id) => programs.get(id));
}

/** How many score changes a plan writes. */
export const scoreChangesIn = (exports: readonly NewExportEvent[]): number => exports.filter((e) => e.type === 'score_changed').length;

// The profile updates that belong to delivered sends (a campaign's on_delivered_update), planned
// in the transaction that records the outcomes: a crash keeps both or neither. Each update applies
// only if its delivery's outcome was written, in order, each on the state the previous one left;
// one the profile refuses is left out and reported, and the outcomes stay.
import type { DeliveredUpdate } from '../../domain/index.js';
import { NO_RULES, type RecordOutcomesOptions } from '../ports.js';
import { trackRules } from './compile.js';
import { advance, emptyPlan, mergePlans, planTrack, type TrackPlan, type TrackRules, type TrackState, usersOf } from './track.js';

export interface DeliveredUpdatesPlan {
  plan: TrackPlan;
  refused: { deliveryId: string; error: string }[];
}

/** The rules the updates are planned by (none by default), evaluated at their own time or `now`. */
export function deliveredUpdateRules(options: RecordOutcomesOptions, now: Date): TrackRules {
  const rules = options.rules ?? NO_RULES;
  return trackRules(rules, rules.at ?? now);
}

/** The updates whose delivery's outcome was written. */
export function updatesToApply(updates: readonly DeliveredUpdate[] | undefined, recorded: ReadonlySet<string>): DeliveredUpdate[] {
  return (updates ?? []).filter((update) => recorded.has(update.deliveryId));
}

/** Every user the updates touch (the state to read). */
export function usersOfUpdates(updates: readonly DeliveredUpdate[]): string[] {
  return [...new Set(updates.flatMap((update) => usersOf(update.batch)))];
}

/** Plans `updates` one after the other on `state` (which it advances). */
export function planDeliveredUpdates(updates: readonly DeliveredUpdate[], state: TrackState, rules: TrackRules, now: Date): DeliveredUpdatesPlan {
  let plan = emptyPlan(state);
  const refused: DeliveredUpdatesPlan['refused'] = [];
  for (const update of updates) {
    let next: TrackPlan;
    try {
      next = planTrack(update.batch, state, rules, now);
    } catch (error) {
      refused.push({ deliveryId: update.deliveryId, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    advance(state, next);
    plan = mergePlans(plan, next);
  }
  return { plan, refused };
}

// Inactivity decay: the Action Paths "everyone else" branch. A user who takes no qualifying
// action within the window loses N points; the score change lets them straight back in
// (re-eligibility 0 s), which starts a new window. So decay repeats once per window while
// the user stays inactive, and any qualifying action restarts the clock.
//
// Schedule representation: one row per (program, user) holding `dueAt`, the end of the
// current window. The service indexes rows by `dueAt`, and applies a due row with a
// compare-and-set on `dueAt` in the same transaction as the profile update, writing
// `nextDueAt` back. A row is applied at most once per `dueAt` (the compare-and-set fails on a
// replay), and none is missed (every applied row schedules the following window).
import type { AttributeOp, Attributes } from '../domain/index.js';
import { exclusionFor } from './filters.js';
import { inactivityWindowMs, type ScoringProgram } from './schema.js';
import { clampScore, readScore, scoreOps } from './score.js';

function toMs(t: Date | string): number {
  const ms = typeof t === 'string' ? Date.parse(t) : t.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`invalid time: ${String(t)}`);
  return ms;
}

/**
 * End of the inactivity window started by the user's last qualifying action (or entry).
 * Null when the program has no inactivity path or is disabled. Call it again after every
 * qualifying action: that is what resets the schedule.
 */
export function nextDecayDue(program: ScoringProgram, lastQualifyingActionAt: Date | string): Date | null {
  const window = inactivityWindowMs(program);
  if (window === undefined || !program.enabled) return null;
  return new Date(toMs(lastQualifyingActionAt) + window);
}

export interface DecayPlan {
  /** First decay after the last action (null when the program has no inactivity path). */
  firstDue: Date | null;
  /** How many windows have fully elapsed by `now`: decays owed if none has been applied. */
  overdue: number;
  /** The first due time strictly after `now`. */
  nextAfterNow: Date | null;
}

/** Due times of the inactivity decrement for a user whose last qualifying action was at `lastActionAt`. */
export function planDecay(program: ScoringProgram, lastActionAt: Date | string, now: Date | string): DecayPlan {
  const window = inactivityWindowMs(program);
  const first = nextDecayDue(program, lastActionAt);
  if (window === undefined || first === null) return { firstDue: null, overdue: 0, nextAfterNow: null };
  const elapsed = toMs(now) - toMs(lastActionAt);
  const overdue = elapsed < window ? 0 : Math.floor(elapsed / window);
  return { firstDue: first, overdue, nextAfterNow: new Date(toMs(lastActionAt) + (overdue + 1) * window) };
}

export interface DecayResult {
  ops: Record<string, AttributeOp>;
  /** Change applied after clamping (0 at the floor, or when excluded). */
  points: number;
  before: number;
  score: number;
  /** The window this decay closes (echoes the input, for the exactly-once key). */
  dueAt: Date;
  /** Next due time to write back; null when the user leaves the program (excluded, or decay off). */
  nextDueAt: Date | null;
  /** Name (or attribute) of the exclusion that took the user out, if any. */
  excludedBy?: string;
}

/**
 * Applies the inactivity decrement due at `dueAt`. Excluded users get nothing and leave the
 * program (they cannot re-enter, so no further window is scheduled).
 */
export function applyDecay(program: ScoringProgram, profileAttributes: Attributes, dueAt: Date | string): DecayResult {
  const due = new Date(toMs(dueAt));
  const before = readScore(profileAttributes, program.attribute);
  const window = inactivityWindowMs(program);
  const points = program.inactivity?.points;
  if (window === undefined || points === undefined || !program.enabled)
    return { ops: {}, points: 0, before, score: before, dueAt: due, nextDueAt: null };
  const exclusion = exclusionFor(program.exclusions, profileAttributes, due);
  if (exclusion)
    return {
      ops: {},
      points: 0,
      before,
      score: before,
      dueAt: due,
      nextDueAt: null,
      excludedBy: exclusion.name ?? exclusion.attribute,
    };
  const score = clampScore(program, before + points);
  return {
    ops: scoreOps(program.attribute, before, points, score),
    points: score - before,
    before,
    score,
    dueAt: due,
    nextDueAt: new Date(due.getTime() + window),
  };
}

/** Idempotency key of one decay application: stable across retries and replays. */
export function decayKey(programName: string, externalId: string, dueAt: Date | string): string {
  return `decay:${programName}:${externalId}:${new Date(toMs(dueAt)).toISOString()}`;
}

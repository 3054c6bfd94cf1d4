// Due memberships (inactivity decay), the same for both backends. Claimed rows are handled in
// waves in which each user appears once: the handler of a user's second due row sees the profile
// as the first one left it. Each verdict moves its row on by compare-and-set on the claimed due
// time (the backend's part: `planDue` yields the wave's moves and is told which still held); the
// operations of the rows that moved are planned as one profile change per wave.
import type { DueHandler, DueMembership, DueOutcome, ExportDraft, SendPlanner, TrackBatch } from '../../domain/index.js';
import { advance, emptyPlan, mergePlans, planTrack, type TrackPlan, type TrackState } from './track.js';

export interface DueMove {
  due: DueMembership;
  next: DueOutcome['next'];
}

export interface DuePlan {
  applied: number;
  plan: TrackPlan;
}

export const dueKey = (due: Pick<DueMembership, 'programId' | 'externalId'>): string => `${due.programId}\u0000${due.externalId}`;

/** The longest run of rows, from the front, in which no user appears twice. */
function nextWave(rows: readonly DueMembership[]): DueMembership[] {
  const users = new Set<string>();
  const wave: DueMembership[] = [];
  for (const row of rows) {
    if (users.has(row.externalId)) break;
    users.add(row.externalId);
    wave.push(row);
  }
  return wave;
}

/**
 * Yields each wave's moves and expects the keys (`dueKey`) of the rows that still held their due
 * time; returns how many were applied and the plan to write. Advances `state`.
 */
export function* planDue(
  claimed: readonly DueMembership[],
  state: TrackState,
  handler: DueHandler,
  planner: SendPlanner,
  now: Date,
): Generator<DueMove[], DuePlan, ReadonlySet<string>> {
  const result: DuePlan = { applied: 0, plan: emptyPlan(state) };
  let rest = claimed;
  while (rest.length > 0) {
    const wave = nextWave(rest).map((due) => ({ due, outcome: handler(due, state.stored.get(due.externalId) ?? {}) }));
    rest = rest.slice(wave.length);
    const moved = yield wave.map(({ due, outcome }) => ({ due, next: outcome.next }));
    const applied = wave.filter((w) => moved.has(dueKey(w.due)));
    result.applied += applied.length;
    const changing = applied.filter((w) => Object.keys(w.outcome.ops).length > 0 || w.outcome.exports.length > 0);
    if (changing.length === 0) continue;
    const batch: TrackBatch = { attributes: changing.map((w) => ({ externalId: w.due.externalId, ops: w.outcome.ops })), events: [], purchases: [] };
    const exportsOf = new Map<string, ExportDraft[]>(changing.map((w) => [w.due.externalId, w.outcome.exports]));
    const plan = planTrack(batch, state, { planner, exportsFor: (user) => exportsOf.get(user) ?? [] }, now);
    advance(state, plan);
    result.plan = mergePlans(result.plan, plan);
  }
  return result;
}

/** Runs `planDue` with a synchronous compare-and-set (SQLite). */
export function driveDue(run: Generator<DueMove[], DuePlan, ReadonlySet<string>>, move: (moves: DueMove[]) => ReadonlySet<string>): DuePlan {
  let step = run.next(new Set());
  while (!step.done) step = run.next(move(step.value));
  return step.value;
}

/** Runs `planDue` with an asynchronous compare-and-set (PostgreSQL). */
export async function driveDueAsync(
  run: Generator<DueMove[], DuePlan, ReadonlySet<string>>,
  move: (moves: DueMove[]) => Promise<ReadonlySet<string>>,
): Promise<DuePlan> {
  let step = run.next(new Set());
  while (!step.done) step = run.next(await move(step.value));
  return step.value;
}

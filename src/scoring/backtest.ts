// Backtest: replays an event history through a program on a simulated clock (record times),
// applying inactivity decay between records and up to `until`, and reports the resulting
// score distribution and how many users crossed the hand-off threshold.
import type { Attributes } from '../domain/index.js';
import { applyDecay, nextDecayDue } from './decay.js';
import { summarizeScores, type ScoreDistribution } from './distribution.js';
import { isExcluded } from './filters.js';
import type { HistoryAttributes, HistoryRecord } from './history.js';
import type { ScoringProgram } from './schema.js';
import { entryTriggered, readScore, scoreEvent } from './score.js';

export interface BacktestOptions {
  /** Hand-off threshold; a user crosses it when the score goes from <= threshold to > threshold. */
  threshold: number;
  /** Apply decay up to this time at the end (default: the last record's time). */
  until?: Date | string;
  /** Histogram bucket width (default 10). */
  bucketWidth?: number;
  /** Include every participant's final score in the result. */
  includeFinalScores?: boolean;
}

export interface BacktestResult {
  /** Distinct users in the history. */
  users: number;
  /** Users who entered the program and are not excluded at the end: the distribution's population. */
  participants: number;
  /** Users matching an exclusion at the end. */
  excludedUsers: number;
  /** Event records replayed. */
  events: number;
  /** Events that matched an action group and scored. */
  scoredEvents: number;
  /** Matches per action group name. */
  groupMatches: Record<string, number>;
  /** Inactivity decrements applied (including those clamped to 0 at the floor). */
  decays: number;
  from: string | null;
  until: string | null;
  threshold: number;
  /** Users whose score crossed the threshold at least once. */
  crossedThreshold: number;
  /** Participants above the threshold at the end. */
  aboveThresholdAtEnd: number;
  scoreDistribution: ScoreDistribution;
  finalScores?: Record<string, number>;
}

interface UserState {
  attributes: Attributes;
  entered: boolean;
  dueAt: number | null;
  crossed: boolean;
}

const timeOf = (r: HistoryRecord): number => Date.parse(r.time);
const isAttributes = (r: HistoryRecord): r is HistoryAttributes => r.kind === 'attributes';

export function backtest(program: ScoringProgram, records: Iterable<HistoryRecord>, options: BacktestOptions): BacktestResult {
  // Stable sort by time: records at the same instant keep their file order.
  const ordered = [...records].map((r, i) => ({ r, i, t: timeOf(r) }));
  for (const o of ordered) if (Number.isNaN(o.t)) throw new RangeError(`record ${o.i + 1}: invalid time ${o.r.time}`);
  ordered.sort((a, b) => a.t - b.t || a.i - b.i);

  const users = new Map<string, UserState>();
  const groupMatches: Record<string, number> = Object.fromEntries(program.action_groups.map((g) => [g.name, 0]));
  let events = 0;
  let scoredEvents = 0;
  let decays = 0;

  const setScore = (u: UserState, score: number) => {
    const before = readScore(u.attributes, program.attribute);
    u.attributes[program.attribute] = score;
    if (before <= options.threshold && score > options.threshold) u.crossed = true;
  };
  const enter = (u: UserState, t: number) => {
    u.entered = true;
    u.dueAt = nextDecayDue(program, new Date(t))?.getTime() ?? null;
  };
  // Applies every window that ended at or before `upTo`, once each.
  const runDecays = (u: UserState, upTo: number) => {
    while (u.entered && u.dueAt !== null && u.dueAt <= upTo) {
      const d = applyDecay(program, u.attributes, new Date(u.dueAt));
      if (d.nextDueAt === null) {
        u.entered = false;
        u.dueAt = null;
        break;
      }
      decays++;
      setScore(u, d.score);
      u.dueAt = d.nextDueAt.getTime();
    }
  };

  for (const { r, t } of ordered) {
    let u = users.get(r.externalId);
    if (!u) {
      u = { attributes: {}, entered: false, dueAt: null, crossed: false };
      users.set(r.externalId, u);
    }
    runDecays(u, t);
    if (isAttributes(r)) {
      const changed: string[] = [];
      for (const [k, v] of Object.entries(r.attributes)) {
        if (JSON.stringify(u.attributes[k]) === JSON.stringify(v ?? undefined)) continue;
        changed.push(k);
        if (k === program.attribute && typeof v === 'number') setScore(u, v);
        else if (v === null) delete u.attributes[k];
        else u.attributes[k] = v;
      }
      if (!u.entered && entryTriggered(program, { changedAttributes: changed }) && !isExcluded(program.exclusions, u.attributes, new Date(t)))
        enter(u, t);
      continue;
    }
    events++;
    const event = { name: r.name, properties: r.properties ?? {} };
    if (!u.entered) {
      if (!entryTriggered(program, { event: r.name }) || isExcluded(program.exclusions, u.attributes, new Date(t))) continue;
      enter(u, t);
      // With entry triggers, the entering event precedes the Action Paths wait and does not score;
      // without them every user is in from the start, so the event scores.
      if (program.entry) continue;
    }
    const result = scoreEvent(program, u.attributes, event, new Date(t));
    if (!result) continue;
    scoredEvents++;
    groupMatches[result.group] = (groupMatches[result.group] ?? 0) + 1;
    setScore(u, result.score);
    u.dueAt = nextDecayDue(program, new Date(t))?.getTime() ?? null;
  }

  const lastTime = ordered.length > 0 ? ordered[ordered.length - 1]!.t : null;
  const until = options.until !== undefined ? new Date(options.until).getTime() : lastTime;
  if (until !== null && Number.isNaN(until)) throw new RangeError(`invalid until: ${String(options.until)}`);
  if (until !== null) for (const u of users.values()) runDecays(u, until);

  const finalScores: Record<string, number> = {};
  let excludedUsers = 0;
  let crossedThreshold = 0;
  for (const [id, u] of users) {
    if (u.crossed) crossedThreshold++;
    if (isExcluded(program.exclusions, u.attributes, new Date(until ?? 0))) {
      excludedUsers++;
      continue;
    }
    if (u.entered || program.attribute in u.attributes) finalScores[id] = readScore(u.attributes, program.attribute);
  }
  const scores = Object.values(finalScores);
  return {
    users: users.size,
    participants: scores.length,
    excludedUsers,
    events,
    scoredEvents,
    groupMatches,
    decays,
    from: ordered.length > 0 ? new Date(ordered[0]!.t).toISOString() : null,
    until: until !== null ? new Date(until).toISOString() : null,
    threshold: options.threshold,
    crossedThreshold,
    aboveThresholdAtEnd: scores.filter((s) => s > options.threshold).length,
    scoreDistribution: summarizeScores(scores, options.bucketWidth ?? 10),
    ...(options.includeFinalScores ? { finalScores } : {}),
  };
}

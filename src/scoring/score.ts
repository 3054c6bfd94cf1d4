// Pure scoring arithmetic: which action group an event falls in, and the attribute
// operation that applies it. Re-eligibility is immediate, so every qualifying event scores.
import type { AttributeOp, Attributes, Json, UserEvent } from '../domain/index.js';
import { exclusionFor, matchesPropertyFilters } from './filters.js';
import type { ActionGroup, ScoringProgram } from './schema.js';

export interface ScoreResult {
  /** Operations for the profile: an `inc` (commutes under concurrency), a `set` when floor/ceiling clamps. */
  ops: Record<string, AttributeOp>;
  /** Change actually applied after clamping (0 when the score already sits at the bound). */
  points: number;
  /** Name of the matched action group. */
  group: string;
  /** Points the group is configured with, before clamping. */
  groupPoints: number;
  /** Score before and after this event. */
  before: number;
  score: number;
}

export interface ScoreOptions {
  /**
   * Whether the user is already in the program. A user who is not yet in only enters
   * (see `entryTriggered`); the event that lets them in does not score, as in Action Paths,
   * which only count actions taken after entering. Defaults to true.
   */
  entered?: boolean;
}

/** Reads the current score: a number, a numeric string, or 0 when absent or not numeric. */
export function readScore(attributes: Attributes, attribute: string): number {
  const v: Json | undefined = attributes[attribute];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return 0;
}

export function clampScore(program: ScoringProgram, value: number): number {
  let out = value;
  if (program.floor !== undefined && out < program.floor) out = program.floor;
  if (program.ceiling !== undefined && out > program.ceiling) out = program.ceiling;
  return out;
}

/** The first action group listing this event (with matching property filters), in program order. */
export function matchActionGroup(
  program: ScoringProgram,
  event: Pick<UserEvent, 'name' | 'properties'>,
  now: Date,
): ActionGroup | undefined {
  return program.action_groups.find((g) =>
    g.events.some((e) => e.name === event.name && matchesPropertyFilters(e.property_filters, event.properties ?? {}, now)),
  );
}

/** What can let a user into a program: a custom event, or changed attributes. */
export interface EntryTrigger {
  event?: string;
  changedAttributes?: readonly string[];
}

/** True when the trigger lets a user into the program. Without `entry`, any event does. */
export function entryTriggered(program: ScoringProgram, trigger: EntryTrigger): boolean {
  if (!program.enabled) return false;
  if (!program.entry) return trigger.event !== undefined;
  const byEvent = trigger.event !== undefined && (program.entry.events ?? []).includes(trigger.event);
  const watched = program.entry.attribute_changes ?? [];
  const byAttribute = (trigger.changedAttributes ?? []).some((a) => watched.includes(a));
  return byEvent || byAttribute;
}

/**
 * Builds the attribute operation taking the score from `before` by `delta` (already clamped):
 * an `inc` unless clamping changed the arithmetic, then a `set` of the clamped value.
 */
export function scoreOps(attribute: string, before: number, requested: number, after: number): Record<string, AttributeOp> {
  if (after === before) return {};
  if (after === before + requested) return { [attribute]: { op: 'inc', by: requested } };
  return { [attribute]: { op: 'set', value: after } };
}

/**
 * Scores one event for one program. Returns null when the program is disabled, the user is
 * not in it, the profile is excluded, or no action group lists the event.
 * `now` anchors relative dates in exclusions and property filters (`now-7d`, `more_than_days_ago`).
 */
export function scoreEvent(
  program: ScoringProgram,
  profileAttributes: Attributes,
  event: Pick<UserEvent, 'name' | 'properties'>,
  now: Date,
  options: ScoreOptions = {},
): ScoreResult | null {
  if (!program.enabled || options.entered === false) return null;
  if (exclusionFor(program.exclusions, profileAttributes, now)) return null;
  const group = matchActionGroup(program, event, now);
  if (!group) return null;
  const before = readScore(profileAttributes, program.attribute);
  const score = clampScore(program, before + group.points);
  return {
    ops: scoreOps(program.attribute, before, group.points, score),
    points: score - before,
    group: group.name,
    groupPoints: group.points,
    before,
    score,
  };
}

export interface MultiScoreResult {
  ops: Record<string, AttributeOp>;
  /** Per-program results, in the order the programs were given (only those that scored). */
  results: { program: string; result: ScoreResult }[];
  /** Profile attributes after every program's change. */
  attributes: Attributes;
}

/**
 * Several programs may score the same event (possibly on the same attribute). They apply in
 * order, each seeing the previous one's result; the merged op stays an `inc` when every
 * change on an attribute was an unclamped increment, and becomes a `set` otherwise.
 */
export function scoreEventForPrograms(
  programs: readonly ScoringProgram[],
  profileAttributes: Attributes,
  event: Pick<UserEvent, 'name' | 'properties'>,
  now: Date,
  entered: (program: ScoringProgram) => boolean = () => true,
): MultiScoreResult {
  const attributes: Attributes = { ...profileAttributes };
  const ops: Record<string, AttributeOp> = {};
  const results: MultiScoreResult['results'] = [];
  for (const program of programs) {
    const result = scoreEvent(program, attributes, event, now, { entered: entered(program) });
    if (!result) continue;
    results.push({ program: program.name, result });
    const op = result.ops[program.attribute];
    if (!op) continue;
    const previous = ops[program.attribute];
    if (op.op === 'inc' && (previous === undefined || previous.op === 'inc'))
      ops[program.attribute] = { op: 'inc', by: (previous?.op === 'inc' ? previous.by : 0) + op.by };
    else ops[program.attribute] = { op: 'set', value: result.score };
    attributes[program.attribute] = result.score;
  }
  return { ops, results, attributes };
}

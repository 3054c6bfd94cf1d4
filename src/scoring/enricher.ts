// Scoring inside the profile-change transaction: which programs a user enters, the points their
// events earn, and the inactivity decay of a due membership. Pure: programs, profile and clock in;
// attribute operations, membership writes and export drafts out. The store runs these inside
// applyTrack / applyDueMemberships, before the campaign planner sees the changed score.
import type { ActivityEnricher, AttributeOp, Attributes, DueHandler, DueOutcome, Enrichment, ExportDraft, MembershipWrite, ProgramMembership } from '../domain/index.js';
import { compileProgram, compiledActionGroup, entryByAttributes, entryByEvent } from './compiled.js';
import { applyDecay } from './decay.js';
import { isExcluded } from './filters.js';
import type { ScoringProgram } from './schema.js';
import { clampScore, readScore, scoreOps } from './score.js';

export interface ProgramEntry {
  id: string;
  program: ScoringProgram;
}

/** An `inc` needs a number (or nothing) to add to; a numeric string is replaced by the number. */
function opFor(attributes: Attributes, attribute: string, op: AttributeOp, score: number): AttributeOp {
  const current = attributes[attribute];
  if (op.op === 'inc' && current !== undefined && current !== null && typeof current !== 'number') return { op: 'set', value: score };
  return op;
}

function scoreChanged(entry: ProgramEntry, before: number, after: number, extra: Attributes): ExportDraft {
  return {
    type: 'score_changed',
    data: { program_id: entry.id, program: entry.program.name, attribute: entry.program.attribute, before, after, points: after - before, ...extra },
  };
}

/**
 * The enricher for /users/track, syncs and every other profile change. Per enabled program, in
 * id order: attribute-change entry first (the batch's own changes), then each event in order —
 * an event either lets the user in (with `entry`, the entering event does not score) or scores
 * in its first matching action group and restarts the inactivity window.
 *
 * Runs for every user of every batch: what depends only on the programs and `now` (compiled
 * programs, the restarted window's due time) is worked out once per call, exclusions once per
 * user and program until the score changes, and the profile is copied only when a score changes.
 */
export function scoringEnricher(programs: readonly ProgramEntry[], now: Date): ActivityEnricher {
  const at = now.toISOString();
  const active = programs
    .filter((entry) => entry.program.enabled)
    .map((entry) => {
      const compiled = compileProgram(entry.program);
      const dueAt = compiled.windowMs === undefined ? null : new Date(now.getTime() + compiled.windowMs).toISOString();
      return { entry, compiled, dueAt };
    });
  return (input): Enrichment => {
    let attributes: Attributes = input.after;
    let copied = false;
    const ops: Record<string, AttributeOp>[] = [];
    const memberships: MembershipWrite[] = [];
    const exports: ExportDraft[] = [];
    const changed = input.changes.length === 0 ? [] : input.changes.map((c) => c.attribute);

    for (const { entry, compiled, dueAt } of active) {
      const { id, program } = entry;
      let member = input.memberships.find((m) => m.programId === id);
      let excluded: boolean | undefined;
      const isOut = (): boolean => (excluded ??= isExcluded(program.exclusions, attributes, now));
      const enter = (): ProgramMembership => {
        memberships.push({ programId: id, action: 'upsert', enteredAt: at, dueAt });
        return { programId: id, externalId: input.externalId, enteredAt: at, dueAt };
      };
      if (!member && changed.length > 0 && entryByAttributes(compiled, changed) && !isOut()) member = enter();
      for (const event of input.events) {
        if (!member) {
          if (!entryByEvent(compiled, event.name) || isOut()) continue;
          member = enter();
          if (program.entry) continue;
        }
        const group = compiledActionGroup(compiled, event, now);
        if (!group || isOut()) continue;
        // A qualifying action restarts the inactivity window, whether or not clamping changed the score.
        if (dueAt !== member.dueAt) {
          member = { ...member, dueAt };
          memberships.push({ programId: id, action: 'upsert', enteredAt: member.enteredAt, dueAt });
        }
        const before = readScore(attributes, program.attribute);
        const score = clampScore(program, before + group.points);
        const op = scoreOps(program.attribute, before, group.points, score)[program.attribute];
        if (!op) continue;
        ops.push({ [program.attribute]: opFor(attributes, program.attribute, op, score) });
        if (!copied) {
          attributes = { ...attributes };
          copied = true;
        }
        attributes[program.attribute] = score;
        excluded = undefined; // an exclusion may test the score itself
        exports.push(scoreChanged(entry, before, score, { reason: 'event', event: event.name, group: group.name }));
      }
    }
    return { ops, memberships, exports };
  };
}

/**
 * The inactivity decay of one due membership. A deleted program ends the membership; a disabled
 * one (or one without an inactivity path) stops the schedule until the next qualifying action;
 * an excluded user leaves the program and may enter again through an entry trigger.
 */
export function decayHandler(lookup: (programId: string) => ProgramEntry | undefined): DueHandler {
  return (due, attributes): DueOutcome => {
    const entry = lookup(due.programId);
    if (!entry) return { ops: {}, next: 'leave', exports: [] };
    const { program } = entry;
    if (!program.enabled || !program.inactivity) return { ops: {}, next: { dueAt: null }, exports: [] };
    const decay = applyDecay(program, attributes, due.dueAt);
    if (decay.excludedBy !== undefined || decay.nextDueAt === null) return { ops: {}, next: 'leave', exports: [] };
    const next = { dueAt: decay.nextDueAt.toISOString() };
    const op = decay.ops[program.attribute];
    if (!op) return { ops: {}, next, exports: [] };
    return {
      ops: { [program.attribute]: opFor(attributes, program.attribute, op, decay.score) },
      next,
      exports: [scoreChanged(entry, decay.before, decay.score, { reason: 'inactivity', due_at: due.dueAt })],
    };
  };
}

// Scoring inside the profile-change transaction: which programs a user enters, the points their
// events earn, and the inactivity decay of a due membership. Pure: programs, profile and clock in;
// attribute operations, membership writes and export drafts out. The store runs these inside
// applyTrack / applyDueMemberships, before the campaign planner sees the changed score.
import type {
  ActivityEnricher,
  AttributeOp,
  Attributes,
  DueHandler,
  DueOutcome,
  Enrichment,
  ExportDraft,
  MembershipWrite,
  ProgramMembership,
} from '../store/types.js';
import { applyDecay, nextDecayDue } from './decay.js';
import { isExcluded } from './filters.js';
import type { ScoringProgram } from './schema.js';
import { entryTriggered, scoreEvent } from './score.js';

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
 */
export function scoringEnricher(programs: readonly ProgramEntry[], now: Date): ActivityEnricher {
  const at = now.toISOString();
  return (input): Enrichment => {
    const attributes: Attributes = { ...input.after };
    const ops: Record<string, AttributeOp>[] = [];
    const memberships: MembershipWrite[] = [];
    const exports: ExportDraft[] = [];
    const current = new Map<string, ProgramMembership>(input.memberships.map((m) => [m.programId, m]));
    const changed = input.changes.map((c) => c.attribute);

    for (const entry of programs) {
      const { id, program } = entry;
      if (!program.enabled) continue;
      let member = current.get(id);
      const enter = (): ProgramMembership => {
        const dueAt = nextDecayDue(program, now)?.toISOString() ?? null;
        member = { programId: id, externalId: input.externalId, enteredAt: at, dueAt };
        memberships.push({ programId: id, action: 'upsert', enteredAt: at, dueAt });
        return member;
      };
      if (!member && changed.length > 0 && entryTriggered(program, { changedAttributes: changed }) && !isExcluded(program.exclusions, attributes, now))
        enter();
      for (const event of input.events) {
        if (!member) {
          if (!entryTriggered(program, { event: event.name }) || isExcluded(program.exclusions, attributes, now)) continue;
          enter();
          if (program.entry) continue;
        }
        const result = scoreEvent(program, attributes, event, now);
        if (!result) continue;
        // A qualifying action restarts the inactivity window, whether or not clamping changed the score.
        const dueAt = nextDecayDue(program, now)?.toISOString() ?? null;
        if (dueAt !== member!.dueAt) {
          member = { ...member!, dueAt };
          memberships.push({ programId: id, action: 'upsert', enteredAt: member.enteredAt, dueAt });
        }
        const op = result.ops[program.attribute];
        if (!op) continue;
        ops.push({ [program.attribute]: opFor(attributes, program.attribute, op, result.score) });
        attributes[program.attribute] = result.score;
        exports.push(scoreChanged(entry, result.before, result.score, { reason: 'event', event: event.name, group: result.group }));
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

// Program memberships (a user inside a scoring program) and what scoring asks of a profile change:
// the enrichment of a user's activity and the verdict on a due membership (inactivity decay).
import type { ExportDraft } from './export-event.js';
import type { Attributes } from './json.js';
import type { AttributeChange, AttributeOp, Purchase, UserEvent } from './profile.js';

/** A user inside a program (a scoring program): one per (program, user) while entered. */
export interface ProgramMembership {
  programId: string;
  externalId: string;
  enteredAt: string; // ISO-8601
  /** When the program next acts on its own (inactivity decay); null when nothing is scheduled. */
  dueAt: string | null;
}

/** A change to one of the user's memberships, written in the same transaction as the profile. */
export type MembershipWrite =
  | { programId: string; action: 'upsert'; enteredAt: string; dueAt: string | null }
  | { programId: string; action: 'delete' };

/** What an enricher sees for one user of a batch: the profile after the batch's own operations. */
export interface EnrichInput {
  externalId: string;
  before: Attributes | undefined;
  after: Attributes;
  /** Changes made by the batch's own attribute operations. */
  changes: AttributeChange[];
  events: UserEvent[];
  purchases: Purchase[];
  /** The user's current memberships (any program). */
  memberships: ProgramMembership[];
}

export interface Enrichment {
  /** Further operations (e.g. score changes), applied in order after the batch's own. */
  ops: Record<string, AttributeOp>[];
  memberships: MembershipWrite[];
  exports: ExportDraft[];
}

/**
 * Pure, synchronous: runs for each user of a change, after the batch's own operations and
 * BEFORE the planner, which sees the enriched profile (so score changes trigger).
 */
export type ActivityEnricher = (input: EnrichInput) => Enrichment;

/** A membership whose due time has come. */
export type DueMembership = ProgramMembership & { dueAt: string };

/** The verdict on one due membership. */
export interface DueOutcome {
  ops: Record<string, AttributeOp>;
  /** Next due time (ISO, or null to stop), or 'leave' to end the membership. */
  next: { dueAt: string | null } | 'leave';
  exports: ExportDraft[];
}

/** Pure, synchronous: the verdict on a due membership, given the user's current attributes. */
export type DueHandler = (due: DueMembership, attributes: Attributes) => DueOutcome;

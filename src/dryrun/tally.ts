// What a dry run counts: would-send, aborted by reason and errors by message, each with a few
// example users. Plain data (it crosses between the run's thread and the API's), changed in
// place by `record`; a run whose thread is replaced carries on from the last copy it got back.
import type { RedactedRequest } from '../dispatch/redaction.js';
import type { CallRecord } from '../liquid/types.js';
import type { FieldError } from '../render/render-fields.js';

export interface Example {
  externalId: string;
  /** The rendered request, redacted (would-send examples). */
  request?: RedactedRequest;
  errors?: FieldError[];
  calls: CallRecord[];
  warnings: string[];
}

export interface Group {
  /** Abort reason or error message; '' for would-send. */
  key: string;
  count: number;
  examples: Example[];
}

export type OutcomeKind = 'send' | 'aborted' | 'error';

export interface Tally {
  inAudience: number;
  notInAudience: number;
  /** Profiles rendered (the whole audience, or the sample). */
  rendered: number;
  wouldSend: Group;
  aborted: Group[];
  errors: Group[];
  /** connected_content calls the renders made, and how many of them went out (or to the recording). */
  calls: number;
  requests: number;
}

/** Distinct abort reasons and error messages kept apart; the rest are counted together. */
export const MAX_GROUPS = 50;
export const OTHER_KEY = '(other reasons and messages)';

export function emptyTally(): Tally {
  return { inAudience: 0, notInAudience: 0, rendered: 0, wouldSend: { key: '', count: 0, examples: [] }, aborted: [], errors: [], calls: 0, requests: 0 };
}

/** Counts one rendered profile; `example` is built only while its group still wants examples. */
export function record(tally: Tally, kind: OutcomeKind, key: string, examplesPerGroup: number, example: () => Example): void {
  tally.rendered++;
  const group = kind === 'send' ? tally.wouldSend : groupOf(kind === 'aborted' ? tally.aborted : tally.errors, key);
  group.count++;
  if (group.examples.length < examplesPerGroup) group.examples.push(example());
}

function groupOf(groups: Group[], key: string): Group {
  let group = groups.find((g) => g.key === key);
  if (group) return group;
  const full = groups.filter((g) => g.key !== OTHER_KEY).length >= MAX_GROUPS;
  if (full) group = groups.find((g) => g.key === OTHER_KEY);
  if (!group) {
    group = { key: full ? OTHER_KEY : key, count: 0, examples: [] };
    groups.push(group);
  }
  return group;
}

/** Largest groups first, for the result. */
export function ordered(groups: Group[]): Group[] {
  return [...groups].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

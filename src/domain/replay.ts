// Replay: which deliveries an operator may send again, and what a replay changes. One rule for
// the API, the CLI, the editor and both storage backends (which apply it under their row lock).
//
// - dead and failed: queued again as they are.
// - aborted: queued again; the worker renders at send time, so it is re-rendered against the
//   profile as it is now (and re-checked against the audience, having never been attempted).
// - delivered: only with an explicit force, since the receiver already has it.
// - queued and sending: refused; the send is still under way.
// A replay keeps the idempotency key and the attempt count (`attempts` always equals the rows of
// the attempt log) and starts a new retry window: the give-up time runs from its first attempt.

import { CodedError } from '../errors/index.js';
import type { DeliveryStatus } from './delivery.js';

/** The delivery statuses the rule reads. */
export type ReplayableStatus = DeliveryStatus;

export interface ReplayOptions {
  /** Send a delivered delivery again. */
  force?: boolean;
}

export type ReplayVerdict = { allowed: true } | { allowed: false; reason: 'in_progress' | 'already_delivered'; message: string };

export function replayVerdict(status: ReplayableStatus, options: ReplayOptions = {}): ReplayVerdict {
  switch (status) {
    case 'dead':
    case 'failed':
    case 'aborted':
      return { allowed: true };
    case 'delivered':
      return options.force
        ? { allowed: true }
        : {
            allowed: false,
            reason: 'already_delivered',
            message: 'delivery was delivered: a replay sends it again; confirm with force ({"force": true}, CLI --force)',
          };
    case 'queued':
    case 'sending':
      return {
        allowed: false,
        reason: 'in_progress',
        message: `delivery is ${status}: it is still being sent; replay it once it is delivered, failed, dead or aborted`,
      };
  }
}

/** Why a replay was refused (LH_REPLAY_REFUSED: the API answers 409 with its message). */
export class ReplayRefusedError extends CodedError {
  constructor(
    readonly deliveryId: string,
    readonly reason: 'in_progress' | 'already_delivered',
    message: string,
  ) {
    super('LH_REPLAY_REFUSED', message);
    this.name = 'ReplayRefusedError';
  }
}

/** Throws ReplayRefusedError unless the rule allows replaying a delivery in `status`. */
export function assertReplayable(id: string, status: ReplayableStatus, options: ReplayOptions = {}): void {
  const verdict = replayVerdict(status, options);
  if (!verdict.allowed) throw new ReplayRefusedError(id, verdict.reason, verdict.message);
}

/** The columns a replay sets (snake_case, as both backends store them). */
export interface ReplayChanges {
  status: 'queued';
  next_attempt_at: string;
  /** Null: the next attempt opens a new retry window. */
  first_attempt_at: null;
  abort_reason: null;
  lease_owner: null;
  lease_until: null;
  updated_at: string;
}

export function replayChanges(now: Date): ReplayChanges {
  const at = now.toISOString();
  return { status: 'queued', next_attempt_at: at, first_attempt_at: null, abort_reason: null, lease_owner: null, lease_until: null, updated_at: at };
}

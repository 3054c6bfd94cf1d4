// What must always hold for the worker's deliveries, checked where a state changes. A violation
// is a bug in the worker or its caller: it throws at once, naming the rule, rather than letting a
// delivery be sent twice or a slot leak. Each check is O(1), so they stay on in production.

import { CodedError } from '../errors/index.js';

/** The rules, by the name an error carries. */
export const INVARIANTS = {
  oneState: 'a delivery is in exactly one state',
  sendingCap: 'never more than `concurrency` deliveries sending',
  heldCap: 'never more than 2 × concurrency deliveries waiting, sending or reserved',
  settlingNeverRestarted: 'a settling delivery is never started again',
  onlyWaitingStarts: 'only a waiting delivery starts sending',
  onlySendingSettles: 'only a sending delivery settles',
  reservedNonNegative: 'reserved slots are never negative',
  adoptsReserved: 'a hand-off adopts only the deliveries it reserved',
  nothingSendingAfterStop: 'after stop() nothing is sending',
} as const;

export type InvariantName = keyof typeof INVARIANTS;

export class WorkerInvariantError extends CodedError {
  constructor(
    readonly invariant: InvariantName,
    detail: string,
  ) {
    super('LH_INVARIANT', `delivery worker invariant broken: ${INVARIANTS[invariant]} (${detail})`);
    this.name = 'WorkerInvariantError';
  }
}

/** Throws a WorkerInvariantError naming `name` unless `condition` holds; `detail` is built only then. */
export function invariant(condition: boolean, name: InvariantName, detail: () => string): asserts condition {
  if (!condition) throw new WorkerInvariantError(name, detail());
}

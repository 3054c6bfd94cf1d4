// Shared builders for the deliveries tests.
import { WorkerInvariantError, type InvariantName } from '../../src/deliveries/index.js';
import type { Delivery } from '../../src/domain/index.js';

/** A delivery leased to a worker (status `sending`), first attempt to come. */
export function leasedDelivery(id: string, extra: Partial<Delivery> = {}): Delivery {
  return {
    id,
    campaignId: 'c1',
    externalId: `u-${id}`,
    idempotencyKey: `k-${id}`,
    status: 'sending',
    attempts: 0,
    trigger: {},
    nextAttemptAt: '',
    createdAt: '',
    updatedAt: '',
    ...extra,
  };
}

/** Runs `fn` and returns the name of the worker invariant it broke, if any. */
export function brokenInvariant(fn: () => void): InvariantName | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof WorkerInvariantError) return error.invariant;
    throw error;
  }
  return undefined;
}

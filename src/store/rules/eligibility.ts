// Re-eligibility counts the sends a user received or may still receive. Once a delivery ends
// without reaching the user (aborted, failed, dead), the user's last-enqueued time for that
// campaign falls back to the latest delivery that is still live or delivered; with none, the user
// is eligible again. A replay makes a delivery live again, so it counts once more.
import type { DeliveryOutcome, DeliveryStatus } from '../../domain/index.js';

/** Statuses of deliveries that count for re-eligibility. */
export const LIVE_STATUSES: readonly DeliveryStatus[] = ['queued', 'sending', 'delivered'];

/** The same list as SQL text, for the query both backends run. */
export const LIVE_STATUSES_SQL = LIVE_STATUSES.map((status) => `'${status}'`).join(', ');

/** Verdicts after which the user did not get the send: their eligibility is worked out again. */
export const NOT_RECEIVED: ReadonlySet<DeliveryOutcome['status']> = new Set(['aborted', 'failed', 'dead']);

/** One (campaign, user) pair whose eligibility is worked out again. */
export interface EligibilityKey {
  campaignId: string;
  externalId: string;
}

/** Each pair once, in a stable order (PostgreSQL writers lock the rows in this order). */
export function eligibilityKeys(keys: readonly EligibilityKey[]): EligibilityKey[] {
  const unique = new Map(keys.map((k) => [`${k.campaignId}\u0000${k.externalId}`, k]));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, key]) => key);
}

/** What to write for a pair given the latest live delivery's creation time (null: none). */
export function eligibilityWrite(lastLive: string | null): { action: 'delete' } | { action: 'set'; lastEnqueuedAt: string } {
  return lastLive === null ? { action: 'delete' } : { action: 'set', lastEnqueuedAt: lastLive };
}

// What the scenarios count, the same way for each: sends accepted by the sink (first acceptance
// per recipient), duplicates, key consistency, and the outbox's view of what is still pending.
import { waitFor, type Api } from '../e2e/helpers.js';
import type { TestSink } from './sinks.js';

/** Recipients whose send was accepted by the sink, each with the time of its first acceptance. */
export function accepted(sink: TestSink): Map<string, number> {
  const first = new Map<string, number>();
  for (const a of sink.arrivals) if (a.answer === 'ok' && !first.has(a.recipient)) first.set(a.recipient, a.at);
  return first;
}

/** Waits until `sent` recipients were accepted or `timeoutMs` passed; returns whether all were. */
export async function allAccepted(sink: TestSink, sent: number, timeoutMs: number): Promise<boolean> {
  return waitFor('every send to arrive', () => (accepted(sink).size >= sent ? true : undefined), timeoutMs).catch(() => false);
}

/** Arrivals, duplicates (accepted requests repeating a key) and recipients that saw more than one key. */
export function tally(sink: TestSink): { delivered: number; duplicates: number; mixedKeys: number } {
  const ok = sink.arrivals.filter((a) => a.answer === 'ok');
  const okKeys = new Set(ok.map((a) => a.key));
  const keysByRecipient = new Map<string, Set<string>>();
  for (const a of sink.arrivals) keysByRecipient.set(a.recipient, (keysByRecipient.get(a.recipient) ?? new Set()).add(a.key));
  return {
    delivered: accepted(sink).size,
    duplicates: ok.length - okKeys.size,
    mixedKeys: [...keysByRecipient.values()].filter((keys) => keys.size !== 1).length,
  };
}

export interface Outcome {
  statuses: Record<string, number>;
  /** Still queued or being sent: late, not lost. */
  pending: number;
  /** Neither arrived, nor given up with a reason, nor still pending. */
  lost: number;
}

/** Counts deliveries by status through the API (up to 1,000 per status). */
export async function outcome(api: Api, sent: number, delivered: number): Promise<Outcome> {
  const statuses: Record<string, number> = {};
  for (const status of ['queued', 'sending', 'delivered', 'failed', 'dead', 'aborted']) {
    const res = await api.call('GET', `/deliveries?status=${status}&limit=1000`);
    statuses[status] = res.json.deliveries.length;
  }
  const pending = statuses.queued! + statuses.sending!;
  return { statuses, pending, lost: Math.max(0, sent - delivered - statuses.dead! - pending) };
}

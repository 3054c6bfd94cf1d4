// One claimed delivery from render to verdict. Never throws: every failure becomes an outcome,
// so one bad delivery cannot stall the batch it was claimed with.
import { toAttemptRow } from '../dispatch/attempt-row.js';
import { failedAttempt } from '../dispatch/dispatcher.js';
import { decideNextAttempt } from '../dispatch/retry-policy.js';
import type { AttemptResult } from '../dispatch/types.js';
import { isStoreUnavailable } from '../store/index.js';
import type { Delivery, DeliveryOutcome, Profile, TrackBatch } from '../domain/index.js';
import type { ProfileLoader } from './profile-loader.js';
import type { PreparedSend, RemoteAttempt, WorkerPorts } from './types.js';

export interface ProcessedDelivery {
  outcome: DeliveryOutcome;
  /** Profile update to apply because the delivery succeeded. */
  update?: TrackBatch;
}

type Ports = Pick<WorkerPorts, 'prepare' | 'send' | 'renderAndSend' | 'deliveredUpdate' | 'retryPolicy' | 'now'> & {
  /** The recipient's profile as it is now (see profile-loader.ts). */
  loadProfile: ProfileLoader;
};

/** How soon a send that could not be prepared (the database was away) is claimed again. */
export const DATABASE_AWAY_RETRY_MS = 1000;

export async function processDelivery(delivery: Delivery, ports: Ports): Promise<ProcessedDelivery> {
  const now = ports.now ?? (() => new Date());
  let sent: RemoteAttempt;
  try {
    sent = await renderAndSend(delivery, ports);
  } catch (error) {
    // The database is away (the profile or the campaign could not be read): nothing was sent,
    // so the send waits for it, like a held send (no attempt counted). This outcome is recorded
    // once the database is back, and the send claimed again.
    const nextAttemptAt = new Date(now().getTime() + DATABASE_AWAY_RETRY_MS).toISOString();
    return { outcome: { id: delivery.id, status: 'retry', nextAttemptAt, error: `database unavailable, nothing sent: ${messageOf(error)}` } };
  }
  const { prepared, result } = sent;
  if (prepared.kind === 'aborted') {
    return { outcome: { id: delivery.id, status: 'aborted', abortReason: prepared.reason, ...logOf(prepared.log) } };
  }
  if (prepared.kind === 'failed' || !result) {
    const error = prepared.kind === 'failed' ? prepared.error : 'nothing was sent';
    return { outcome: { id: delivery.id, status: 'failed', error, ...logOf(prepared.log) } };
  }

  const finishedAt = now();
  const attemptNumber = delivery.attempts + 1;
  const firstAttemptAt = delivery.firstAttemptAt ? Date.parse(delivery.firstAttemptAt) : result.startedAt;
  const decision = decideNextAttempt(ports.retryPolicy, {
    attempt: attemptNumber,
    firstAttemptAt,
    now: finishedAt.getTime(),
    outcome: result,
  });
  const attempt = decision.countsAsAttempt ? toAttemptRow(attemptNumber, { ...result, latencyMs: Math.round(result.latencyMs) }) : undefined;
  const base = {
    id: delivery.id,
    ...(attempt ? { attempt, firstAttemptAt: new Date(firstAttemptAt).toISOString() } : {}),
    request: prepared.log,
  };

  switch (decision.action) {
    case 'done': {
      const update = ports.deliveredUpdate(delivery);
      return { outcome: { ...base, status: 'delivered' }, ...(update ? { update } : {}) };
    }
    case 'retry':
      return {
        outcome: { ...base, status: 'retry', nextAttemptAt: new Date(decision.retryAt!).toISOString(), error: decision.reason },
      };
    case 'failed':
      return { outcome: { ...base, status: 'failed', error: decision.reason } };
    case 'dead':
      return { outcome: { ...base, status: 'dead', error: decision.reason } };
  }
}

/**
 * Renders and sends (here, or on the send thread); render and send failures become results. It
 * throws only when the database is out of reach before anything was sent.
 */
async function renderAndSend(delivery: Delivery, ports: Ports): Promise<RemoteAttempt> {
  let profile: Profile | undefined;
  let prepared: PreparedSend;
  try {
    profile = await ports.loadProfile(delivery.externalId);
    if (ports.renderAndSend) return await ports.renderAndSend(delivery, profile);
    prepared = await ports.prepare(delivery, profile);
  } catch (error) {
    if (isStoreUnavailable(error)) throw error;
    return { prepared: renderFailure(error) };
  }
  if (prepared.kind !== 'send') return { prepared };
  const request = { ...prepared.request, idempotencyKey: delivery.idempotencyKey };
  try {
    return { prepared, result: await ports.send(request) };
  } catch (error) {
    // The dispatcher promises not to throw; treat a broken promise as a network failure.
    return { prepared, result: networkFailure(messageOf(error)) };
  }
}

export function networkFailure(message: string): AttemptResult {
  return failedAttempt(Date.now(), { kind: 'network', message });
}

/** A render (or the profile read before it) that threw: the delivery fails, it is not retried. */
export function renderFailure(error: unknown): Extract<PreparedSend, { kind: 'failed' }> {
  return { kind: 'failed', error: `render failed: ${messageOf(error)}` };
}

function logOf(log: PreparedSend['log']): { request?: NonNullable<PreparedSend['log']> } {
  return log ? { request: log } : {};
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Ports of the delivery worker: what it needs from rendering, sending and the campaign catalog.
// Keeping them as plain functions lets the loop be tested without a template engine or network.
import type { Logger } from 'pino';
import type { AttemptResult, WebhookRequest } from '../dispatch/types.js';
import type { RetryPolicy } from '../dispatch/retry-policy.js';
import type { Attributes, Delivery, DeliveryOutcome, Profile, SendPlanner, TrackBatch } from '../domain/index.js';
import type { Store } from '../store/index.js';

/** A delivery rendered at send time. */
export type PreparedSend =
  /** Ready to send; `log` is the redacted request kept in the delivery log. */
  | { kind: 'send'; request: WebhookRequest; log: Attributes }
  /** The template called abort_message: no request is made. */
  | { kind: 'aborted'; reason: string; log?: Attributes }
  /** Rendering could not produce a request (campaign gone, template error): not retried. */
  | { kind: 'failed'; error: string; log?: Attributes };

/** A rendered send as the delivery log keeps it: the request itself (with its secrets) stays behind. */
export type RenderedSend = { kind: 'send'; log: Attributes } | Exclude<PreparedSend, { kind: 'send' }>;

/** One attempt rendered and sent elsewhere (the send thread): the result is absent when nothing was sent. */
export interface RemoteAttempt {
  prepared: RenderedSend;
  result?: AttemptResult;
  /** The redacted attempt for a debug log line, when the caller logs attempts. */
  attemptLog?: object;
}

export interface WorkerPorts {
  store: Store;
  /** Renders the delivery's webhook for the profile as it is now. */
  prepare(delivery: Delivery, profile: Profile | undefined): Promise<PreparedSend>;
  /** Exactly one HTTP attempt; never throws. */
  send(request: WebhookRequest): Promise<AttemptResult>;
  /** When set, replaces prepare + send: renders and sends in one step off the event loop. */
  renderAndSend?(delivery: Delivery, profile: Profile | undefined): Promise<RemoteAttempt>;
  /** Attribute updates to apply once the delivery succeeded (campaign `on_delivered_update`). */
  deliveredUpdate(delivery: Delivery): TrackBatch | undefined;
  /** Planner used when those updates are applied, so they can trigger campaigns too. */
  planner(): SendPlanner;
  retryPolicy: RetryPolicy;
  logger: Logger;
  /** Called with each group of outcomes once it is committed (metrics). */
  onRecorded?(outcomes: readonly DeliveryOutcome[]): void;
  now?: () => Date;
}

export interface WorkerOptions {
  /** Lease owner name; unique per process. */
  owner: string;
  batchSize: number;
  /** Sends in flight at once across all hosts (the dispatcher also limits per host). */
  concurrency: number;
  /** Longest sleep when nothing is due (also bounds how late another process's inserts are seen). */
  pollMs: number;
  leaseMs: number;
}

export interface WorkerStats {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
  dead: number;
  aborted: number;
  commits: number;
  inFlight: number;
}

// Ports and options of the delivery worker. The store part is narrow (the outbox and profile
// reads: the store's WorkerStore); sending is one port, so the loop is tested without a template
// engine or network.
import type { Logger } from 'pino';
import type { DeliveryOutcome } from '../domain/index.js';
import type { WorkerStore } from '../store/index.js';
import type { OutcomeRules } from './outcome.js';
import type { SendPort } from './send-stages.js';

export interface WorkerPorts extends OutcomeRules {
  /** The outbox and profile reads (the intake's: outcomes commit with their delivered updates). */
  store: WorkerStore;
  /** Resolves, renders and sends one delivery (in-process or on the send thread). */
  sender: SendPort;
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

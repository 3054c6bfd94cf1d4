// A delivery: one send of one campaign to one user, its attempts, and the worker's verdicts on it.
import { z } from 'zod';
import type { FailureCode } from './failure-code.js';
import type { Attributes } from './json.js';
import type { TrackBatch } from './profile.js';

/** A send's `message_extras` pairs (Braze's send-event field): string keys and values, in order. */
export type MessageExtras = Record<string, string>;

export const DELIVERY_STATUSES = ['queued', 'sending', 'delivered', 'aborted', 'failed', 'dead'] as const;
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

export interface Delivery {
  id: string;
  campaignId: string;
  externalId: string;
  idempotencyKey: string;
  status: DeliveryStatus;
  attempts: number;
  trigger: Attributes;
  nextAttemptAt: string;
  firstAttemptAt?: string;
  lastError?: string;
  /** Why the last attempt did not arrive, as a stable code beside `lastError`. */
  failureCode?: FailureCode;
  abortReason?: string;
  /** Final rendered request (redacted) once rendered, for the log. */
  request?: Attributes;
  /** The `message_extras` pairs of the latest attempt (the latest send); absent before one. */
  messageExtras?: MessageExtras;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  deliveryId: string;
  attempt: number;
  at: string;
  statusCode?: number;
  latencyMs: number;
  responseBody?: string; // truncated and redacted
  error?: string;
  /** The request this attempt sent (the log view: secrets redacted); absent when not recorded. */
  request?: Attributes;
  /** The `message_extras` pairs of the request this attempt sent; absent when not recorded. */
  messageExtras?: MessageExtras;
}

/** A delivery as the log shows it: with every attempt. */
export type DeliveryWithAttempts = Delivery & { attempts_log: DeliveryAttempt[] };

/** The worker's verdict on one claimed delivery, written in a batch. */
export interface DeliveryOutcome {
  id: string;
  status: Exclude<DeliveryStatus, 'queued' | 'sending'> | 'retry';
  /** The attempt's request is the outcome's `request`. */
  attempt?: Omit<DeliveryAttempt, 'deliveryId' | 'request'>;
  nextAttemptAt?: string; // with status 'retry'
  firstAttemptAt?: string;
  error?: string;
  /** Why it did not arrive, as a stable code beside `error`. */
  code?: FailureCode;
  abortReason?: string;
  request?: Attributes;
  /** With an attempt: the `message_extras` pairs of the request it sent, kept with the attempt. */
  messageExtras?: MessageExtras;
}

/** A profile update that belongs to one delivery's success (a campaign's on_delivered_update). */
export interface DeliveredUpdate {
  deliveryId: string;
  batch: TrackBatch;
}

export interface DeliveryFilter {
  campaignId?: string;
  externalId?: string;
  status?: DeliveryStatus;
  limit?: number;
  beforeId?: string; // pagination: older than this id
}

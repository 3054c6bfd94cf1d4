// The stages of one send, in order: resolved (campaign and recipient known) → rendered (the
// request, or why none) → attempted (the request went out, with its result). A stage that cannot
// go on ends the send early as `stopped`; every later stage passes a stop through unchanged.
// All of it is plain data, so a resolved send can cross to the send thread and an attempted
// send can come back.
import type { AttemptResult, WebhookRequest } from '../dispatch/index.js';
import type { LiquidContext, Webhook } from '../render/index.js';
import type { Attributes, Delivery, FailureCode, MessageExtras, Profile } from '../domain/index.js';

/** Why a send ended before a request left. `log` is what the delivery log keeps of the render. */
export type Stopped =
  /** Nothing is sent: the template called abort_message, or the audience or campaign says so. `code` when a failure caused it. */
  | { kind: 'aborted'; reason: string; code?: FailureCode; log?: Attributes }
  /** The send cannot be made (campaign gone, template error): not retried. */
  | { kind: 'failed'; code: FailureCode; error: string; log?: Attributes }
  /** The service's database could not be read (the profile, the campaign): nothing left, the send waits for it. */
  | { kind: 'deferred'; code: 'database_unavailable'; error: string; log?: Attributes };

/** A send whose campaign and recipient are known, ready to render. */
export interface ResolvedSend {
  webhook: Webhook;
  context: LiquidContext;
  /** Secret placeholder values of the campaign, redacted from errors and the log. */
  secrets: string[];
  signingSecretRef?: string;
  signingSecret?: string;
  idempotencyKey: string;
}

export type Resolved = { kind: 'resolved'; send: ResolvedSend } | Stopped;

/**
 * The request to send, and its redacted view for the delivery log (the request keeps its
 * secrets), with the template's `message_extras` pairs (secret values redacted) for the send.
 */
export type Rendered = { kind: 'rendered'; request: WebhookRequest; log: Attributes; messageExtras: MessageExtras } | Stopped;

/** One HTTP attempt made (`result`), or the stop that prevented it. `messageExtras`: those of the request sent. */
export type Attempted = { kind: 'attempted'; log: Attributes; result: AttemptResult; messageExtras?: MessageExtras } | Stopped;

/**
 * The one way a delivery is sent: resolve, render and attempt, on the send thread or in this
 * one. Never throws: every failure is an Attempted.
 */
export interface SendPort {
  send(delivery: Delivery, profile: Profile | undefined): Promise<Attempted>;
}

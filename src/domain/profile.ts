// Profiles and the changes made to them: attribute operations, events, purchases, and the batch
// a profile-change path applies all-or-nothing.
import type { Attributes, Json } from './json.js';

export interface Profile {
  externalId: string;
  attributes: Attributes;
  createdAt: string; // ISO-8601
  updatedAt: string;
}

/** One attribute operation as /users/track expresses it. */
export type AttributeOp =
  | { op: 'set'; value: Json }
  | { op: 'unset' }
  | { op: 'inc'; by: number }
  | { op: 'add'; values: Json[] }
  | { op: 'remove'; values: Json[] };

export interface AttributeChange {
  attribute: string;
  before: Json | undefined;
  after: Json | undefined;
}

export interface UserEvent {
  externalId: string;
  name: string;
  time: string; // ISO-8601
  properties: Attributes;
}

export interface Purchase {
  externalId: string;
  productId: string;
  currency: string;
  price: number;
  quantity: number;
  time: string;
  properties: Attributes;
}

/** A validated batch of profile updates, applied all-or-nothing. */
export interface TrackBatch {
  attributes: { externalId: string; ops: Record<string, AttributeOp> }[];
  events: UserEvent[];
  purchases: Purchase[];
}

/** What happened to one user in a batch; the planner decides which sends it triggers. */
export interface UserActivity {
  externalId: string;
  before: Attributes | undefined; // undefined when the profile is new
  after: Attributes;
  changes: AttributeChange[];
  events: UserEvent[];
  purchases: Purchase[];
  /** Last time each campaign enqueued a send for this user (for re-eligibility). */
  lastEnqueuedAt: Record<string, string>;
}

/** A send the planner asks for. */
export interface NewDelivery {
  campaignId: string;
  externalId: string;
  /** What triggered it, kept for the delivery log and for rendering (event_properties). */
  trigger: Attributes;
}

/** Pure, synchronous: which sends one user's activity triggers. */
export type SendPlanner = (activity: UserActivity) => NewDelivery[];

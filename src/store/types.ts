// The storage contract. One interface, implemented for SQLite (embedded default) and
// PostgreSQL; both run the same test suite. Every method is async so that either backend fits.
// Multi-row writes happen in one transaction: a profile change and the sends it triggers
// are committed together (transactional outbox), so a crash loses nothing half-written.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Attributes = Record<string, Json>;

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

export interface NewDelivery {
  campaignId: string;
  externalId: string;
  /** What triggered it, kept for the delivery log and for rendering (event_properties). */
  trigger: Attributes;
}

/** Pure, synchronous: runs inside the store's transaction. */
export type SendPlanner = (activity: UserActivity) => NewDelivery[];

export type DeliveryStatus = 'queued' | 'sending' | 'delivered' | 'aborted' | 'failed' | 'dead';

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
  abortReason?: string;
  /** Final rendered request (redacted) once rendered, for the log. */
  request?: Attributes;
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
}

/** The worker's verdict on one claimed delivery, written in a batch. */
export interface DeliveryOutcome {
  id: string;
  status: Exclude<DeliveryStatus, 'queued' | 'sending'> | 'retry';
  attempt?: Omit<DeliveryAttempt, 'deliveryId'>;
  nextAttemptAt?: string; // with status 'retry'
  firstAttemptAt?: string;
  error?: string;
  abortReason?: string;
  request?: Attributes;
}

export interface DeliveryFilter {
  campaignId?: string;
  externalId?: string;
  status?: DeliveryStatus;
  limit?: number;
  beforeId?: string; // pagination: older than this id
}

export interface StoredCampaign {
  id: string;
  definition: Attributes; // validated by the campaign zod schema before it is stored
  createdAt: string;
  updatedAt: string;
}

/** Engagement stream for warehouses (sent, delivered, failed, dead, aborted, score changes, events). */
export interface ExportEvent {
  seq: number; // strictly increasing cursor
  type: string;
  at: string;
  externalId?: string;
  campaignId?: string;
  deliveryId?: string;
  data: Attributes;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  getProfile(externalId: string): Promise<Profile | undefined>;
  /** Applies the batch and the planner's deliveries in ONE transaction. */
  applyTrack(batch: TrackBatch, planner: SendPlanner): Promise<{ activities: UserActivity[]; deliveries: Delivery[] }>;

  listCampaigns(): Promise<StoredCampaign[]>;
  getCampaign(id: string): Promise<StoredCampaign | undefined>;
  putCampaign(id: string, definition: Attributes): Promise<StoredCampaign>;
  deleteCampaign(id: string): Promise<boolean>;

  /** Claims up to `limit` due deliveries (queued, or sending with an expired lease) for `owner`. */
  claimDeliveries(owner: string, limit: number, now: Date, leaseMs: number): Promise<Delivery[]>;
  /** Writes many outcomes in one transaction (group commit). */
  recordOutcomes(outcomes: DeliveryOutcome[], now: Date): Promise<void>;
  /** Gives claimed deliveries back (graceful shutdown). */
  releaseDeliveries(ids: string[]): Promise<void>;
  getDelivery(id: string): Promise<(Delivery & { attempts_log: DeliveryAttempt[] }) | undefined>;
  listDeliveries(filter: DeliveryFilter): Promise<Delivery[]>;
  /** Re-queues a dead/failed/aborted delivery with the same idempotency key. */
  replayDelivery(id: string, now: Date): Promise<Delivery | undefined>;
  /** Earliest next_attempt_at among queued deliveries (lets the worker sleep precisely). */
  nextDueAt(): Promise<Date | undefined>;

  appendExportEvents(events: Omit<ExportEvent, 'seq'>[]): Promise<void>;
  readExportEvents(afterSeq: number, limit: number): Promise<ExportEvent[]>;
}

// The storage contract. One interface, implemented for SQLite (embedded default) and
// PostgreSQL; both run the same test suite. Every method is async so that either backend fits.
// Multi-row writes happen in one transaction: a profile change and the sends it triggers
// are committed together (transactional outbox), so a crash loses nothing half-written.

import type { ActivityEnricher, DueHandler, ProgramMembership } from './membership-types.js';

export type {
  ActivityEnricher,
  DueHandler,
  DueMembership,
  DueOutcome,
  EnrichInput,
  Enrichment,
  MembershipWrite,
  ProgramMembership,
} from './membership-types.js';

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
  /** The request this attempt sent (the log view: secrets redacted); absent when not recorded. */
  request?: Attributes;
}

/** The worker's verdict on one claimed delivery, written in a batch. */
export interface DeliveryOutcome {
  id: string;
  status: Exclude<DeliveryStatus, 'queued' | 'sending'> | 'retry';
  /** The attempt's request is the outcome's `request`. */
  attempt?: Omit<DeliveryAttempt, 'deliveryId' | 'request'>;
  nextAttemptAt?: string; // with status 'retry'
  firstAttemptAt?: string;
  error?: string;
  abortReason?: string;
  request?: Attributes;
}

/** A profile update that belongs to one delivery's success (a campaign's on_delivered_update). */
export interface DeliveredUpdate {
  deliveryId: string;
  batch: TrackBatch;
}

export interface RecordOutcomesOptions {
  /** Only outcomes for deliveries this owner still holds a lease on are written. */
  owner?: string;
  /**
   * Profile updates committed in the same transaction as the outcomes, so a crash cannot keep one
   * without the other. Each is applied only if its delivery's outcome was written, and in a
   * savepoint: an update the profile refuses is skipped and reported, and the outcomes stay.
   */
  updates?: DeliveredUpdate[];
  /** Planner for those updates (they may trigger campaigns too); none by default. */
  planner?: SendPlanner;
  /** Apply options for those updates (scoring adds its enricher here). */
  applyOptions?: ApplyTrackOptions;
}

export interface RecordOutcomesResult {
  /** Deliveries the updates enqueued. */
  deliveries: Delivery[];
  /** Updates rolled back on their own, with the reason. */
  refused: { deliveryId: string; error: string }[];
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

/** What the store writes to the export stream on a hook's behalf; it fills in `at` and the user. */
export interface ExportDraft {
  type: string;
  data: Attributes;
}

/** A named position (sync watermark, exporter position) moved by compare-and-set. */
export interface CursorMove {
  name: string;
  /** The value the cursor must hold now (null: not set yet); otherwise CursorConflictError. */
  expected: string | null;
  value: string;
}

export interface ApplyTrackOptions {
  enricher?: ActivityEnricher;
  /** Moved in the same transaction, so applied rows and the watermark commit together. */
  cursor?: CursorMove;
  /** New deliveries a worker of this process takes as they are written (no claim round). */
  claimNew?: NewDeliveryClaim;
}

/**
 * Each new delivery `reserve()` accepts is written already claimed: status `sending`, leased to
 * `owner` for `leaseMs`. The worker sends it once the commit is durable; if the process dies
 * first, the lease lapses and any worker claims it as usual.
 */
export interface NewDeliveryClaim {
  owner: string;
  leaseMs: number;
  /** Synchronous, once per new delivery: false when the worker has no free slot. */
  reserve(): boolean;
}

/** Kinds of definition kept by `putDefinition` (validated by their zod schema before they are stored). */
export type DefinitionKind = 'scoring_program' | 'sync';

export interface StoredDefinition {
  kind: DefinitionKind;
  id: string;
  definition: Attributes;
  createdAt: string;
  updatedAt: string;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  getProfile(externalId: string): Promise<Profile | undefined>;
  /** Profiles of many users in one read, by external id (users without a profile are absent). */
  getProfiles(externalIds: readonly string[]): Promise<Map<string, Profile>>;
  /**
   * Applies the batch, the enricher's operations and membership writes, the planner's deliveries
   * and the cursor move in ONE transaction. A cursor that does not hold `expected` throws
   * CursorConflictError and nothing is written.
   */
  applyTrack(
    batch: TrackBatch,
    planner: SendPlanner,
    options?: ApplyTrackOptions,
  ): Promise<{ activities: UserActivity[]; deliveries: Delivery[] }>;

  listCampaigns(): Promise<StoredCampaign[]>;
  getCampaign(id: string): Promise<StoredCampaign | undefined>;
  putCampaign(id: string, definition: Attributes): Promise<StoredCampaign>;
  deleteCampaign(id: string): Promise<boolean>;

  /**
   * Claims up to `limit` due deliveries (queued, or sending with an expired lease) for `owner`.
   * Lease times: on PostgreSQL, shared by several instances, the database clock decides when a
   * lease ends (`now()`: instance clocks may differ); `now` is the caller's clock for due times.
   * On SQLite one process serves the file and its clock is the only one.
   */
  claimDeliveries(owner: string, limit: number, now: Date, leaseMs: number): Promise<Delivery[]>;
  /**
   * Writes many outcomes in one transaction (group commit). With `options.owner`, an outcome for a
   * delivery that is no longer 'sending' under that owner's lease (it expired and another worker
   * took it over, or it was released) is ignored, so a late verdict never overwrites the holder's.
   */
  recordOutcomes(outcomes: DeliveryOutcome[], now: Date, options?: RecordOutcomesOptions): Promise<RecordOutcomesResult>;
  /**
   * Extends the lease of deliveries still 'sending' under `owner` to `leaseMs` from now (a worker
   * whose sends outlast the lease keeps them); others are left alone. Returns how many leases
   * were renewed. Lease times as in claimDeliveries.
   */
  renewLeases(owner: string, ids: string[], now: Date, leaseMs: number): Promise<number>;
  /**
   * Gives deliveries `owner` still holds back to the queue (graceful shutdown); one another
   * worker took over, or that finished meanwhile, is left alone.
   */
  releaseDeliveries(owner: string, ids: string[]): Promise<void>;
  getDelivery(id: string): Promise<(Delivery & { attempts_log: DeliveryAttempt[] }) | undefined>;
  listDeliveries(filter: DeliveryFilter): Promise<Delivery[]>;
  /** Re-queues a dead/failed/aborted delivery with the same idempotency key. */
  replayDelivery(id: string, now: Date): Promise<Delivery | undefined>;
  /** Earliest next_attempt_at among queued deliveries (lets the worker sleep precisely). */
  nextDueAt(): Promise<Date | undefined>;

  appendExportEvents(events: Omit<ExportEvent, 'seq'>[]): Promise<void>;
  readExportEvents(afterSeq: number, limit: number): Promise<ExportEvent[]>;

  /** Definitions by kind, ordered by id. */
  listDefinitions(kind: DefinitionKind): Promise<StoredDefinition[]>;
  getDefinition(kind: DefinitionKind, id: string): Promise<StoredDefinition | undefined>;
  /** Upsert; createdAt is kept on update. */
  putDefinition(kind: DefinitionKind, id: string, definition: Attributes): Promise<StoredDefinition>;
  /** Deleting a scoring program also deletes its memberships (and so its schedule). */
  deleteDefinition(kind: DefinitionKind, id: string): Promise<boolean>;

  /** The user's memberships, ordered by program id. */
  listMemberships(externalId: string): Promise<ProgramMembership[]>;
  /**
   * Claims up to `limit` memberships with dueAt <= now (earliest first) and, per row, in the
   * same transaction: runs `handler` on the current profile, applies its ops through the
   * profile-change path (planner included), writes its exports, and moves dueAt by
   * compare-and-set on the claimed dueAt. Each due time is applied exactly once, also with
   * concurrent callers (rows another caller holds are skipped, never waited for twice).
   */
  applyDueMemberships(
    now: Date,
    limit: number,
    handler: DueHandler,
    planner: SendPlanner,
  ): Promise<{ applied: number; activities: UserActivity[]; deliveries: Delivery[] }>;
  /** Earliest scheduled dueAt, if any (lets the scheduler sleep precisely). */
  nextMembershipDueAt(): Promise<Date | undefined>;

  getCursor(name: string): Promise<string | undefined>;
  /** Compare-and-set; throws CursorConflictError when the cursor does not hold `expected`. */
  moveCursor(move: CursorMove): Promise<void>;
}

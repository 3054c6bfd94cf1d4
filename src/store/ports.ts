// The storage contract, as narrow ports composed into one `Store`. Implemented for SQLite
// (embedded default) and PostgreSQL; both run the same test suite. Every method is async so that
// either backend fits. Multi-row writes happen in one transaction: a profile change and the sends
// it triggers are committed together (transactional outbox), so a crash loses nothing half-written.
import type {
  Attributes,
  CursorMove,
  DefinitionKind,
  DeliveredUpdate,
  Delivery,
  DeliveryFilter,
  DeliveryOutcome,
  DeliveryWithAttempts,
  ExportEvent,
  NewExportEvent,
  Profile,
  ProgramMembership,
  ReplayOptions,
  StoredCampaign,
  StoredDefinition,
  TrackBatch,
  UserActivity,
} from '../domain/index.js';
import type { ProgramEntry } from '../scoring/index.js';
import type { CampaignEntry } from '../triggers/index.js';

/**
 * The rules a profile change is planned by, as data: the store runs the pure planner (triggers)
 * and scoring over them inside its transaction, and calls nothing else.
 */
export interface ChangeRules {
  /** Campaigns in force (each plans sends while enabled). */
  campaigns: readonly CampaignEntry[];
  /** Scoring programs in force; none: profile changes do not score. */
  programs: readonly ProgramEntry[];
  /** When the rules are evaluated (eligibility windows, scoring windows); default: the store's clock. */
  at?: Date;
}

/** No campaigns and no programs: a change is applied and plans nothing. */
export const NO_RULES: ChangeRules = { campaigns: [], programs: [] };

/**
 * The first `count` new deliveries of a change are written already claimed: status `sending`,
 * leased to `owner` for `leaseMs`. The worker sends them once the commit is durable; if the process
 * dies first, the lease lapses and any worker claims them as usual.
 */
export interface NewDeliveryLease {
  owner: string;
  leaseMs: number;
  count: number;
}

/**
 * A worker's reservation of slots for new deliveries (its hand-off): the intake reserves before a
 * change and passes the reserved count to the store as a NewDeliveryLease.
 */
export interface NewDeliveryClaim {
  owner: string;
  leaseMs: number;
  /** Synchronous: false when the worker has no free slot. */
  reserve(): boolean;
}

export interface ApplyTrackOptions {
  /** Moved in the same transaction, so applied rows and the watermark commit together. */
  cursor?: CursorMove;
  /** New deliveries a worker of this process takes as they are written (no claim round). */
  lease?: NewDeliveryLease;
}

export interface TrackResult {
  activities: UserActivity[];
  deliveries: Delivery[];
  /** Score changes the scoring programs made (score_changed events written). */
  scoreChanges: number;
}

export interface DueResult extends TrackResult {
  /** Due times applied (each exactly once). */
  applied: number;
}

export interface RecordOutcomesOptions {
  /** Only outcomes for deliveries this owner still holds a lease on are written. */
  owner?: string;
  /**
   * Profile updates committed in the same transaction as the outcomes, so a crash cannot keep one
   * without the other. Each is applied only if its delivery's outcome was written, in order: an
   * update the profile refuses is left out and reported, and the outcomes and other updates stay.
   */
  updates?: DeliveredUpdate[];
  /** The rules those updates are planned by (they may trigger campaigns and score); none by default. */
  rules?: ChangeRules;
}

export interface RecordOutcomesResult {
  /** Deliveries the updates enqueued. */
  deliveries: Delivery[];
  /** Updates left out, with the reason. */
  refused: { deliveryId: string; error: string }[];
  /** Score changes the updates made. */
  scoreChanges: number;
}

/** Profile reads: what rendering a send needs. */
export interface ProfileReader {
  getProfile(externalId: string): Promise<Profile | undefined>;
  /** Profiles of many users in one read, by external id (users without a profile are absent). */
  getProfiles(externalIds: readonly string[]): Promise<Map<string, Profile>>;
}

export interface ProfilePage {
  /** The last external id of the previous page; absent for the first page. */
  after?: string;
  limit: number;
}

/** Every profile, a page at a time: how a dry run reads a campaign's audience. */
export interface ProfilePages {
  /** One page of profiles in external-id order, after `after` (exclusive). */
  listProfiles(page: ProfilePage): Promise<Profile[]>;
  /** How many profiles there are (a dry run's progress). */
  countProfiles(): Promise<number>;
}

/** Profiles and their program memberships: the profile-change path. */
export interface ProfileStore extends ProfileReader {
  /**
   * Applies the batch, the scoring programs' operations and membership writes, the deliveries the
   * campaigns plan and the cursor move in ONE transaction. A cursor that does not hold `expected`
   * throws CursorConflictError and nothing is written.
   */
  applyTrack(batch: TrackBatch, rules: ChangeRules, options?: ApplyTrackOptions): Promise<TrackResult>;
  /** The user's memberships, ordered by program id. */
  listMemberships(externalId: string): Promise<ProgramMembership[]>;
  /**
   * Claims up to `limit` memberships with dueAt <= now (earliest first) and, per row, in the
   * same transaction: works out its program's inactivity decay on the current profile, applies the
   * operations through the profile-change path (campaigns included), writes its exports, and
   * moves dueAt by compare-and-set on the claimed dueAt. Each due time is applied exactly once,
   * also with concurrent callers (rows another caller holds are skipped, never waited for twice).
   */
  applyDueMemberships(now: Date, limit: number, rules: ChangeRules): Promise<DueResult>;
  /** Earliest scheduled dueAt, if any (lets the scheduler sleep precisely). */
  nextMembershipDueAt(): Promise<Date | undefined>;
}

/** The sending side of the outbox: what a delivery worker needs besides profile reads. */
export interface OutboxStore {
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
  /** Earliest next_attempt_at among queued deliveries (lets the worker sleep precisely). */
  nextDueAt(): Promise<Date | undefined>;
}

/** The delivery log: reading deliveries and sending a finished one again. */
export interface DeliveryLog {
  getDelivery(id: string): Promise<DeliveryWithAttempts | undefined>;
  listDeliveries(filter: DeliveryFilter): Promise<Delivery[]>;
  /**
   * Re-queues a delivery as src/domain/replay.ts allows (dead, failed, aborted; delivered with
   * `force`), same idempotency key; throws ReplayRefusedError otherwise. Undefined: no such id.
   */
  replayDelivery(id: string, now: Date, options?: ReplayOptions): Promise<Delivery | undefined>;
}

/** Campaigns and the other stored definitions (scoring programs, syncs). */
export interface DefinitionStore {
  listCampaigns(): Promise<StoredCampaign[]>;
  getCampaign(id: string): Promise<StoredCampaign | undefined>;
  putCampaign(id: string, definition: Attributes): Promise<StoredCampaign>;
  deleteCampaign(id: string): Promise<boolean>;

  /** Definitions by kind, ordered by id. */
  listDefinitions(kind: DefinitionKind): Promise<StoredDefinition[]>;
  getDefinition(kind: DefinitionKind, id: string): Promise<StoredDefinition | undefined>;
  /** Upsert; createdAt is kept on update. */
  putDefinition(kind: DefinitionKind, id: string, definition: Attributes): Promise<StoredDefinition>;
  /** Deleting a scoring program also deletes its memberships (and so its schedule). */
  deleteDefinition(kind: DefinitionKind, id: string): Promise<boolean>;
}

/** The export stream. */
export interface ExportLog {
  appendExportEvents(events: NewExportEvent[]): Promise<void>;
  readExportEvents(afterSeq: number, limit: number): Promise<ExportEvent[]>;
}

/** Named positions (sync watermarks, exporter positions). */
export interface CursorStore {
  getCursor(name: string): Promise<string | undefined>;
  /** Compare-and-set; throws CursorConflictError when the cursor does not hold `expected`. */
  moveCursor(move: CursorMove): Promise<void>;
}

/** The whole store: every port, plus its lifecycle. */
export interface Store extends ProfileStore, ProfilePages, OutboxStore, DeliveryLog, DefinitionStore, ExportLog, CursorStore {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** What a delivery worker needs from storage: the outbox and profile reads. */
export type WorkerStore = OutboxStore & ProfileReader;

// The intake: every profile change enters the service here — /users/track, table syncs, the
// inactivity decay, the updates of delivered sends — and so do replays of finished deliveries. It
// gathers the rules in force (campaigns, scoring programs) as data, has the store apply the change
// and its planned sends in one transaction, and hands the new deliveries to the worker.
//
// Why the store plans, not the intake: planning reads the very rows the change writes (profile,
// eligibility, memberships). Inside the store's transaction that costs no extra round trip and
// relies on the locking both backends have (the write lock on SQLite, profile row locks on
// PostgreSQL). Planning here would need a read, then a compare-and-set write retried on conflict,
// for every change. So the planner and scoring are pure code below the store in the import graph,
// the store receives campaigns and programs as data, and calls nothing above itself.
import type { CursorMove, Delivery, ReplayOptions, TrackBatch } from '../domain/index.js';
import type { ProgramEntry } from '../scoring/index.js';
import type { ChangeRules, DueResult, NewDeliveryClaim, NewDeliveryLease, Store, TrackResult, WorkerStore } from '../store/index.js';
import type { CampaignEntry } from '../triggers/index.js';

/** The campaigns in force (the campaign catalog). */
export interface CampaignSource {
  campaignEntries(): readonly CampaignEntry[];
}

/** The scoring programs in force (the scoring program registry). */
export interface ProgramSource {
  programEntries(): readonly ProgramEntry[];
}

/** A worker's hand-off for one change: reserve slots, then adopt the deliveries or cancel. */
export interface HandOff {
  claim: NewDeliveryClaim;
  adopt(deliveries: Delivery[]): void;
  cancel(): void;
}

/** The delivery worker of this process, as the intake sees it. */
export interface WorkerLink {
  /** New deliveries are queued: claim them. */
  wake(): void;
  /** Takes new deliveries as they are written, while it has room. */
  handOff?(): HandOff;
}

export interface IntakeOptions {
  store: Store;
  campaigns: CampaignSource;
  /** The scoring step; without it profile changes do not score. */
  scoring?: ProgramSource;
  /** Told how many score changes each committed change made (metrics). */
  onScored?(scoreChanges: number): void;
  now?: () => Date;
}

export interface Intake {
  /** A /users/track batch (or a CLI import): applied, scored, planned, handed to the worker. */
  track(batch: TrackBatch): Promise<TrackResult>;
  /** A table sync page, committed with its watermark move. */
  sync(batch: TrackBatch, cursor: CursorMove): Promise<TrackResult>;
  /** Up to `limit` due memberships (inactivity decay) applied at `now`. */
  applyDue(now: Date, limit: number): Promise<DueResult>;
  /** Sends a finished delivery again under its idempotency key, by the replay rule (throws ReplayRefusedError). */
  replay(id: string, options?: ReplayOptions): Promise<Delivery | undefined>;
  /** The worker's store: its outcomes commit with their delivered updates, planned under the rules in force. */
  readonly outbox: WorkerStore;
  /** The rules in force at `at`. */
  rules(at?: Date): ChangeRules;
  /** Connects the worker that new deliveries are handed to. */
  connectWorker(worker: WorkerLink): void;
}

export function createIntake(options: IntakeOptions): Intake {
  const { store } = options;
  const now = options.now ?? (() => new Date());
  let worker: WorkerLink | undefined;

  const rules = (at: Date = now()): ChangeRules => ({
    campaigns: options.campaigns.campaignEntries(),
    programs: options.scoring?.programEntries() ?? [],
    at,
  });
  const scored = <R extends { scoreChanges: number }>(result: R): R => {
    if (result.scoreChanges > 0) options.onScored?.(result.scoreChanges);
    return result;
  };
  const enqueued = (deliveries: readonly Delivery[]): void => {
    if (deliveries.length > 0) worker?.wake();
  };

  async function track(batch: TrackBatch): Promise<TrackResult> {
    const current = rules();
    const handOff = worker?.handOff?.();
    let result: TrackResult;
    try {
      const lease = handOff && reserveLease(handOff.claim, current.campaigns.length * usersAndEvents(batch));
      result = await store.applyTrack(batch, current, lease ? { lease } : {});
    } catch (error) {
      handOff?.cancel();
      throw error;
    }
    if (handOff) handOff.adopt(result.deliveries);
    else enqueued(result.deliveries);
    return scored(result);
  }

  const outbox: WorkerStore = {
    getProfile: (externalId) => store.getProfile(externalId),
    getProfiles: (externalIds) => store.getProfiles(externalIds),
    claimDeliveries: (owner, limit, at, leaseMs) => store.claimDeliveries(owner, limit, at, leaseMs),
    renewLeases: (owner, ids, at, leaseMs) => store.renewLeases(owner, ids, at, leaseMs),
    releaseDeliveries: (owner, ids) => store.releaseDeliveries(owner, ids),
    nextDueAt: () => store.nextDueAt(),
    async recordOutcomes(outcomes, at, recordOptions = {}) {
      const withRules = recordOptions.updates?.length ? { ...recordOptions, rules: rules() } : recordOptions;
      return scored(await store.recordOutcomes(outcomes, at, withRules));
    },
  };

  return {
    track,
    async sync(batch, cursor) {
      const result = scored(await store.applyTrack(batch, rules(), { cursor }));
      enqueued(result.deliveries);
      return result;
    },
    async applyDue(at, limit) {
      const result = await store.applyDueMemberships(at, limit, rules(at));
      enqueued(result.deliveries);
      return result;
    },
    async replay(id, replayOptions) {
      const replayed = await store.replayDelivery(id, now(), replayOptions);
      if (replayed) enqueued([replayed]);
      return replayed;
    },
    outbox,
    rules,
    connectWorker(link) {
      worker = link;
    },
  };
}

/**
 * Reserves worker slots for the sends a change may plan, at most `bound` (an upper estimate: one
 * send per campaign for each user and each event). The worker frees what the change did not use
 * when it adopts the deliveries.
 */
function reserveLease(claim: NewDeliveryClaim, bound: number): NewDeliveryLease | undefined {
  let count = 0;
  while (count < bound && claim.reserve()) count++;
  return count > 0 ? { owner: claim.owner, leaseMs: claim.leaseMs, count } : undefined;
}

/** The users and events of a batch: each may trigger one send per campaign. */
function usersAndEvents(batch: TrackBatch): number {
  const users = new Set<string>();
  for (const entry of batch.attributes) users.add(entry.externalId);
  for (const event of batch.events) users.add(event.externalId);
  for (const purchase of batch.purchases) users.add(purchase.externalId);
  return users.size + batch.events.length;
}

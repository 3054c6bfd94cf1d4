// The embedded SQLite backend of the Store contract (better-sqlite3: synchronous, one connection
// per process; other processes may share the file thanks to WAL and busy_timeout).
import type { ReplayOptions } from '../../domain/index.js';
import type Database from 'better-sqlite3';
import type {
  Attributes,
  CursorMove,
  DefinitionKind,
  Delivery,
  DeliveryFilter,
  DeliveryOutcome,
  DeliveryWithAttempts,
  ExportEvent,
  Profile,
  ProgramMembership,
  StoredCampaign,
  StoredDefinition,
  TrackBatch,
} from '../../domain/index.js';
import type { ApplyTrackOptions, ChangeRules, DueResult, ProfilePage, RecordOutcomesOptions, RecordOutcomesResult, Store, TrackResult } from '../ports.js';
import { migrateDatabase, openDatabase, type SqliteOpenOptions } from './db.js';
import { BackgroundCheckpointer } from './checkpointer.js';
import { GroupCommitter } from './group-commit.js';
import { acquireOwnerLock, endLeftoverLeases, type OwnerLock } from './owner-lock.js';
import { WalSyncer } from './wal-sync.js';
import { deleteCampaignInTransaction, getCampaignRow, listCampaignRows, putCampaignInTransaction } from './campaigns.js';
import {
  claimInTransaction,
  deliveryWithAttempts,
  listDeliveryRows,
  nextDueTime,
  releaseInTransaction,
  renewInTransaction,
  replayInTransaction,
} from './deliveries.js';
import { recordOutcomesInTransaction } from './outcomes.js';
import { insertExportEvents } from './exports.js';
import { type ExportRow, PROFILE_COLUMNS, type ProfileRow, StatementCache, toExportEvent, toProfile } from './rows.js';
import { membershipsOf, nextQueuedAt } from './memberships.js';
import {
  deleteDefinitionInTransaction,
  getDefinitionRow,
  listDefinitionRows,
  moveCursorInTransaction,
  putDefinitionInTransaction,
  readCursor,
} from './programs.js';
import { applyDeliveredUpdatesInTransaction, applyDueMembershipsInTransaction, applyTrackInTransaction } from './track.js';
import { deliveredUpdateRules, updatesToApply } from '../rules/delivered-updates.js';

export interface SqliteStoreOptions extends SqliteOpenOptions {
  /** Run pending migrations on open (default true). */
  migrate?: boolean;
  /** Clock for timestamps the store sets itself (tests pin it). */
  now?: () => Date;
  /**
   * This process serves the file (API and delivery worker): take its owner lock, refusing a
   * file another process serves, and end the leases a previous owner left (see owner-lock.ts).
   */
  owner?: boolean;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly stmts: StatementCache;
  private readonly committer: GroupCommitter;
  private readonly now: () => Date;
  private closed = false;
  /** Set for a file database: WAL checkpoints then run off the event loop. */
  checkpointer: BackgroundCheckpointer | undefined;
  /** Held while this process serves the file; released once the database is closed. */
  ownerLock: OwnerLock | undefined;

  constructor(
    readonly db: Database.Database,
    now: () => Date = () => new Date(),
  ) {
    this.stmts = new StatementCache(db);
    this.committer = new GroupCommitter(db);
    this.now = now;
  }

  /**
   * Runs `fn` in a write transaction (BEGIN IMMEDIATE: take the lock up front, never upgrade),
   * shared with the other writes asked for in the same event-loop turn: one commit, one fsync.
   */
  private write<T>(fn: () => T): Promise<T> {
    this.assertOpen();
    return this.committer.write(fn);
  }

  /**
   * From now on commits skip their own fsync (synchronous=NORMAL) and writers are answered once a
   * WAL fsync on the thread pool covers them: as durable as FULL, without stalling the event loop.
   */
  syncWalOffLoop(): void {
    if (this.db.memory || String(this.db.pragma('journal_mode', { simple: true })) !== 'wal') return;
    this.committer.wal = new WalSyncer(`${this.db.name}-wal`);
    this.db.pragma('synchronous = NORMAL');
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  async migrate(): Promise<void> {
    this.assertOpen();
    migrateDatabase(this.db, this.now);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Writes already asked for are committed (and their callers answered) before the file closes.
    this.committer.flush();
    await this.committer.wal?.close();
    await this.checkpointer?.close();
    this.db.close();
    this.ownerLock?.release();
  }

  async getProfile(externalId: string): Promise<Profile | undefined> {
    this.assertOpen();
    const row = this.stmts.get(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE external_id = ?`).get(externalId) as ProfileRow | undefined;
    return row ? toProfile(row) : undefined;
  }

  async getProfiles(externalIds: readonly string[]): Promise<Map<string, Profile>> {
    this.assertOpen();
    // One statement for the lot: each better-sqlite3 call costs about 5 µs before any row is read.
    const rows = externalIds.length === 0 ? [] : (this.stmts
      .get(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE external_id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(externalIds)) as ProfileRow[]);
    return new Map(rows.map((row) => [row.external_id, toProfile(row)]));
  }

  async listProfiles(page: ProfilePage): Promise<Profile[]> {
    this.assertOpen();
    const rows = this.stmts
      .get(`SELECT ${PROFILE_COLUMNS} FROM profiles WHERE external_id > ? ORDER BY external_id LIMIT ?`)
      .all(page.after ?? '', page.limit) as ProfileRow[];
    return rows.map(toProfile);
  }

  async countProfiles(): Promise<number> {
    this.assertOpen();
    return (this.stmts.get('SELECT count(*) AS n FROM profiles').get() as { n: number }).n;
  }

  async applyTrack(batch: TrackBatch, rules: ChangeRules, options: ApplyTrackOptions = {}): Promise<TrackResult> {
    return this.write(() => applyTrackInTransaction(this.stmts, batch, rules, this.now(), options));
  }

  async listCampaigns(): Promise<StoredCampaign[]> {
    this.assertOpen();
    return listCampaignRows(this.stmts);
  }

  async getCampaign(id: string): Promise<StoredCampaign | undefined> {
    this.assertOpen();
    return getCampaignRow(this.stmts, id);
  }

  async putCampaign(id: string, definition: Attributes): Promise<StoredCampaign> {
    const at = this.now().toISOString();
    return this.write(() => putCampaignInTransaction(this.stmts, id, definition, at));
  }

  async deleteCampaign(id: string): Promise<boolean> {
    return this.write(() => deleteCampaignInTransaction(this.stmts, id));
  }

  async claimDeliveries(owner: string, limit: number, now: Date, leaseMs: number): Promise<Delivery[]> {
    return this.write(() => claimInTransaction(this.stmts, owner, limit, now, leaseMs));
  }

  async recordOutcomes(outcomes: DeliveryOutcome[], now: Date, options: RecordOutcomesOptions = {}): Promise<RecordOutcomesResult> {
    if (outcomes.length === 0) return { deliveries: [], refused: [], scoreChanges: 0 };
    return this.write(() => {
      const recorded = recordOutcomesInTransaction(this.stmts, outcomes, now, options.owner);
      return applyDeliveredUpdatesInTransaction(this.stmts, updatesToApply(options.updates, recorded), deliveredUpdateRules(options, this.now()), this.now());
    });
  }

  async renewLeases(owner: string, ids: string[], now: Date, leaseMs: number): Promise<number> {
    if (ids.length === 0) return 0;
    return this.write(() => renewInTransaction(this.stmts, owner, ids, new Date(now.getTime() + leaseMs)));
  }

  async releaseDeliveries(owner: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.write(() => releaseInTransaction(this.stmts, owner, ids, this.now()));
  }

  async getDelivery(id: string): Promise<DeliveryWithAttempts | undefined> {
    this.assertOpen();
    return deliveryWithAttempts(this.stmts, id);
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Delivery[]> {
    this.assertOpen();
    return listDeliveryRows(this.stmts, filter);
  }

  async replayDelivery(id: string, now: Date, options?: ReplayOptions): Promise<Delivery | undefined> {
    return this.write(() => replayInTransaction(this.stmts, id, now, options));
  }

  async nextDueAt(): Promise<Date | undefined> {
    this.assertOpen();
    const due = nextDueTime(this.stmts);
    return due === undefined ? undefined : new Date(due);
  }

  async appendExportEvents(events: Omit<ExportEvent, 'seq'>[]): Promise<void> {
    if (events.length === 0) return;
    await this.write(() => insertExportEvents(this.stmts, events));
  }

  async readExportEvents(afterSeq: number, limit: number): Promise<ExportEvent[]> {
    this.assertOpen();
    // A consumer stores the last seq it read: it must never see a row a power loss could undo.
    await this.committer.wal?.settled();
    const rows = this.stmts
      .get('SELECT * FROM export_events WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, Math.max(0, Math.floor(limit))) as ExportRow[];
    return rows.map(toExportEvent);
  }

  async listDefinitions(kind: DefinitionKind): Promise<StoredDefinition[]> {
    this.assertOpen();
    return listDefinitionRows(this.stmts, kind);
  }

  async getDefinition(kind: DefinitionKind, id: string): Promise<StoredDefinition | undefined> {
    this.assertOpen();
    return getDefinitionRow(this.stmts, kind, id);
  }

  async putDefinition(kind: DefinitionKind, id: string, definition: Attributes): Promise<StoredDefinition> {
    const at = this.now().toISOString();
    return this.write(() => putDefinitionInTransaction(this.stmts, kind, id, definition, at));
  }

  async deleteDefinition(kind: DefinitionKind, id: string): Promise<boolean> {
    return this.write(() => deleteDefinitionInTransaction(this.stmts, kind, id));
  }

  async listMemberships(externalId: string): Promise<ProgramMembership[]> {
    this.assertOpen();
    return membershipsOf(this.stmts, externalId);
  }

  /** SQLite has one writer at a time: the write lock is the claim, and dueAt moves by compare-and-set. */
  async applyDueMemberships(now: Date, limit: number, rules: ChangeRules): Promise<DueResult> {
    return this.write(() => applyDueMembershipsInTransaction(this.stmts, now, this.now(), limit, rules));
  }

  async nextMembershipDueAt(): Promise<Date | undefined> {
    this.assertOpen();
    // May be early (an entry not yet moved to its membership's later due time): the scheduler then
    // finds nothing due, the entry moves, and the next call answers later.
    const due = nextQueuedAt(this.stmts);
    return due === undefined ? undefined : new Date(due);
  }

  async getCursor(name: string): Promise<string | undefined> {
    this.assertOpen();
    return readCursor(this.stmts, name);
  }

  async moveCursor(move: CursorMove): Promise<void> {
    const at = this.now().toISOString();
    await this.write(() => moveCursorInTransaction(this.stmts, move, at));
  }
}

/** Opens (creating if needed) an SQLite store and brings its schema up to date. */
export function openSqliteStore(options: SqliteStoreOptions): Store & { readonly db: Database.Database } {
  const ownerLock = options.owner && options.path !== ':memory:' ? acquireOwnerLock(options.path, options.now) : undefined;
  let db: Database.Database;
  try {
    db = openDatabase(options);
  } catch (error) {
    ownerLock?.release();
    throw error;
  }
  const store = new SqliteStore(db, options.now);
  store.ownerLock = ownerLock;
  try {
    if (options.migrate !== false) migrateDatabase(db, options.now);
    if (ownerLock && options.migrate !== false) endLeftoverLeases(db, (options.now ?? (() => new Date()))());
    if (!options.readonly && !db.memory) {
      store.checkpointer = new BackgroundCheckpointer(db, db.name);
      store.syncWalOffLoop();
    }
  } catch (error) {
    db.close();
    ownerLock?.release();
    throw error;
  }
  return store;
}

export { migrateDatabase, openDatabase } from './db.js';
export { DatabaseOwnedError } from './owner-lock.js';

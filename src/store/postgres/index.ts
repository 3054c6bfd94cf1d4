// The PostgreSQL backend of the Store contract (node-postgres pool). Several service instances
// can share one database: claims skip each other's locked rows, leases expire so a crashed
// instance's sends are picked up elsewhere, and profile updates serialise per user.
import type { ReplayOptions } from '../../domain/index.js';
import type pg from 'pg';
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
import type { ApplyTrackOptions, ChangeRules, DueResult, ProfilePage, RecordOutcomesResult, Store, TrackResult } from '../ports.js';
import { createPool, inTransaction, migratePostgres, type PostgresPoolOptions, redactUrl } from './db.js';
import { claim, listDeliveries, recordOutcomes, release, renewLeases, replay, type RecordOptions } from './deliveries.js';
import { insertExportEvents, readExportEvents } from './exports.js';
import { type AttemptRow, type CampaignRow, type DeliveryRow, json, type ProfileRow, toCampaign, toDeliveryWithAttempts, toProfile } from './rows.js';
import { applyDueInTransaction } from './due.js';
import * as programs from './programs.js';
import { applyDeliveredUpdatesInTransaction, applyTrackInTransaction } from './track.js';
import { deliveredUpdateRules, updatesToApply, usersOfUpdates } from '../rules/delivered-updates.js';

export interface PostgresStoreOptions extends PostgresPoolOptions {
  /** Run pending migrations on open (default true). */
  migrate?: boolean;
  /** Clock for timestamps the store sets itself (tests pin it). */
  now?: () => Date;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;

  constructor(
    readonly pool: pg.Pool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }

  private write<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.assertOpen();
    return inTransaction(this.pool, fn);
  }

  private async rows<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    this.assertOpen();
    return (await this.pool.query<R>(text, values)).rows;
  }

  async migrate(): Promise<void> {
    this.assertOpen();
    await migratePostgres(this.pool, this.now);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  async getProfile(externalId: string): Promise<Profile | undefined> {
    const [row] = await this.rows<ProfileRow>('SELECT * FROM profiles WHERE external_id = $1', [externalId]);
    return row ? toProfile(row) : undefined;
  }

  async getProfiles(externalIds: readonly string[]): Promise<Map<string, Profile>> {
    if (externalIds.length === 0) return new Map();
    const rows = await this.rows<ProfileRow>('SELECT * FROM profiles WHERE external_id = ANY($1::text[])', [[...externalIds]]);
    return new Map(rows.map((row) => [row.external_id, toProfile(row)]));
  }

  async listProfiles(page: ProfilePage): Promise<Profile[]> {
    const rows = await this.rows<ProfileRow>('SELECT * FROM profiles WHERE external_id > $1 ORDER BY external_id LIMIT $2', [page.after ?? '', page.limit]);
    return rows.map(toProfile);
  }

  async countProfiles(): Promise<number> {
    const [row] = await this.rows<{ n: string }>('SELECT count(*) AS n FROM profiles');
    return Number(row!.n);
  }

  async applyTrack(batch: TrackBatch, rules: ChangeRules, options: ApplyTrackOptions = {}): Promise<TrackResult> {
    return this.write((client) => applyTrackInTransaction(client, batch, rules, this.now(), options));
  }

  async listCampaigns(): Promise<StoredCampaign[]> {
    return (await this.rows<CampaignRow>('SELECT * FROM campaigns ORDER BY id')).map(toCampaign);
  }

  async getCampaign(id: string): Promise<StoredCampaign | undefined> {
    const [row] = await this.rows<CampaignRow>('SELECT * FROM campaigns WHERE id = $1', [id]);
    return row ? toCampaign(row) : undefined;
  }

  async putCampaign(id: string, definition: Attributes): Promise<StoredCampaign> {
    const at = this.now().toISOString();
    const [row] = await this.rows<CampaignRow>(
      `INSERT INTO campaigns (id, definition, created_at, updated_at) VALUES ($1, $2::json, $3, $3)
       ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
       RETURNING *`,
      [id, json(definition), at],
    );
    return toCampaign(row!);
  }

  async deleteCampaign(id: string): Promise<boolean> {
    return this.write(async (client) => {
      const removed = ((await client.query('DELETE FROM campaigns WHERE id = $1', [id])).rowCount ?? 0) > 0;
      if (removed) await client.query('DELETE FROM campaign_eligibility WHERE campaign_id = $1', [id]);
      return removed;
    });
  }

  /** One statement, so one implicit transaction: no BEGIN/COMMIT round trips on the hot path. */
  async claimDeliveries(owner: string, limit: number, now: Date, leaseMs: number): Promise<Delivery[]> {
    this.assertOpen();
    return claim(this.pool, owner, limit, now, leaseMs);
  }

  /**
   * With `options.owner`, outcomes for deliveries whose lease that owner lost (expired and
   * reclaimed elsewhere, or released) are ignored rather than overwriting the new holder's work.
   */
  async recordOutcomes(outcomes: DeliveryOutcome[], now: Date, options: RecordOptions = {}): Promise<RecordOutcomesResult> {
    if (outcomes.length === 0) return { deliveries: [], refused: [], scoreChanges: 0 };
    return this.write(async (client) => {
      // The profiles the updates change are locked with those of failed sends, before the deliveries.
      const recorded = await recordOutcomes(client, outcomes, now, options.owner, usersOfUpdates(options.updates ?? []));
      return applyDeliveredUpdatesInTransaction(client, updatesToApply(options.updates, recorded), deliveredUpdateRules(options, this.now()), this.now());
    });
  }

  /** One statement (implicit transaction); a row a concurrent writer holds is waited for, then re-checked. */
  async renewLeases(owner: string, ids: string[], _now: Date, leaseMs: number): Promise<number> {
    this.assertOpen();
    if (ids.length === 0) return 0;
    return renewLeases(this.pool, owner, ids, leaseMs);
  }

  async releaseDeliveries(owner: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.write((client) => release(client, owner, ids, this.now()));
  }

  async getDelivery(id: string): Promise<DeliveryWithAttempts | undefined> {
    const [row] = await this.rows<DeliveryRow>('SELECT * FROM deliveries WHERE id = $1', [id]);
    if (!row) return undefined;
    const attempts = await this.rows<AttemptRow>('SELECT * FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id', [id]);
    return toDeliveryWithAttempts(row, attempts);
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Delivery[]> {
    this.assertOpen();
    return listDeliveries(this.pool, filter);
  }

  async replayDelivery(id: string, now: Date, options?: ReplayOptions): Promise<Delivery | undefined> {
    return this.write((client) => replay(client, id, now, options));
  }

  /** Also counts lease expiries, so a sleeping worker wakes to recover a crashed worker's sends. */
  async nextDueAt(): Promise<Date | undefined> {
    const [row] = await this.rows<{ due: string | null }>(
      `SELECT LEAST(
         (SELECT MIN(next_attempt_at) FROM deliveries WHERE status = 'queued'),
         (SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending')
       ) AS due`,
    );
    return row?.due ? new Date(row.due) : undefined;
  }

  async appendExportEvents(events: Omit<ExportEvent, 'seq'>[]): Promise<void> {
    if (events.length === 0) return;
    await this.write((client) => insertExportEvents(client, events));
  }

  async readExportEvents(afterSeq: number, limit: number): Promise<ExportEvent[]> {
    this.assertOpen();
    return readExportEvents(this.pool, afterSeq, limit);
  }

  async listDefinitions(kind: DefinitionKind): Promise<StoredDefinition[]> {
    this.assertOpen();
    return programs.listDefinitions(this.pool, kind);
  }

  async getDefinition(kind: DefinitionKind, id: string): Promise<StoredDefinition | undefined> {
    this.assertOpen();
    return programs.getDefinition(this.pool, kind, id);
  }

  async putDefinition(kind: DefinitionKind, id: string, definition: Attributes): Promise<StoredDefinition> {
    this.assertOpen();
    return programs.putDefinition(this.pool, kind, id, definition, this.now().toISOString());
  }

  async deleteDefinition(kind: DefinitionKind, id: string): Promise<boolean> {
    return this.write((client) => programs.deleteDefinition(client, kind, id));
  }

  async listMemberships(externalId: string): Promise<ProgramMembership[]> {
    this.assertOpen();
    return (await programs.membershipsOf(this.pool, [externalId])).get(externalId) ?? [];
  }

  /**
   * One transaction: due rows are claimed with FOR UPDATE SKIP LOCKED, so concurrent callers
   * (other instances included) split them; see due.ts.
   */
  async applyDueMemberships(now: Date, limit: number, rules: ChangeRules): Promise<DueResult> {
    return this.write((client) => applyDueInTransaction(client, now, limit, rules, this.now()));
  }

  async nextMembershipDueAt(): Promise<Date | undefined> {
    this.assertOpen();
    return programs.nextMembershipDueAt(this.pool);
  }

  async getCursor(name: string): Promise<string | undefined> {
    this.assertOpen();
    return programs.readCursor(this.pool, name);
  }

  async moveCursor(move: CursorMove): Promise<void> {
    const at = this.now().toISOString();
    await this.write((client) => programs.moveCursor(client, move, at));
  }
}

/** Connects to PostgreSQL and brings the schema up to date (unless `migrate: false`). */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = createPool(options);
  const store = new PostgresStore(pool, options.now);
  try {
    if (options.migrate !== false) await store.migrate();
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`could not open the PostgreSQL store at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error });
  }
  return store;
}

export { handleClientErrors, LOCK_KEYS, migratePostgres, postgresDialect, postgresMigrations } from './db.js';
export { startInstanceHeartbeat, type HeartbeatOptions, type InstanceHeartbeat } from './heartbeat.js';
export type { Takeover } from './instances.js';
export type { RecordOptions } from './deliveries.js';

// The campaigns in force, parsed once and kept in memory: the planner runs inside every
// /users/track transaction and the worker looks a campaign up for every send.
import type { Logger } from 'pino';
import {
  PlaceholderValueError,
  resolvePlaceholders,
  substitutePlaceholders,
  type Placeholder,
  type ResolvedPlaceholders,
  type Webhook,
} from '../render/index.js';
import type { SendPlanner, StoredCampaign, TrackBatch } from '../domain/index.js';
import type { Store } from '../store/index.js';
import {
  CampaignValidationError,
  deliveredUpdateBatch,
  parseCampaign,
  planSends,
  type Campaign,
  type CampaignEntry,
} from '../triggers/index.js';

export interface ActiveCampaign {
  id: string;
  /** The definition as stored (file campaigns keep their placeholders). */
  campaign: Campaign;
  /** Ready to render: configuration placeholders replaced. */
  webhook: Webhook;
  /** Secret placeholder values, redacted wherever they could show. */
  secrets: string[];
  /** False when placeholders lack values: the campaign plans and sends nothing. */
  ready: boolean;
  /** Placeholder variables still unset. */
  missing: string[];
  /** Why the campaign plans and sends nothing, when `ready` is false. */
  inactiveReason?: string;
  stored: Pick<StoredCampaign, 'createdAt' | 'updatedAt'>;
}

export interface CampaignLookup {
  get(id: string): ActiveCampaign | undefined;
  /** Like get, but asks the store when the campaign is not known yet (made by another process). */
  lookup?(id: string): Promise<ActiveCampaign | undefined>;
}

/** What identifies one stored version of a campaign. */
const versionOf = (stored: StoredCampaign): string => `${stored.updatedAt}|${JSON.stringify(stored.definition)}`;

export class CampaignCatalog implements CampaignLookup {
  private readonly active = new Map<string, ActiveCampaign>();
  /** Stored version each known campaign was built from (invalid ones too, so they are logged once). */
  private readonly versions = new Map<string, string>();
  /** Placeholders of campaigns loaded from template files, by campaign id. */
  private readonly placeholders = new Map<string, Placeholder[]>();
  /** Campaigns taken out of service in this process (their file is gone), with the reason. */
  private readonly deactivated = new Map<string, string>();
  private entries: CampaignEntry[] = [];
  /** Catalog changes run one at a time, so a refresh never undoes a concurrent put or delete. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly placeholderValues: Record<string, string | undefined> = process.env,
  ) {}

  /** Reads every stored campaign; one that no longer validates is skipped with an error log. */
  async load(): Promise<void> {
    await this.exclusive(async () => {
      this.active.clear();
      this.versions.clear();
    });
    await this.refresh();
  }

  /**
   * Brings the catalog in line with the store: campaigns created, changed or deleted by another
   * process on the same database. Only changed rows are parsed again. True when anything changed.
   */
  refresh(): Promise<boolean> {
    return this.exclusive(async () => {
      const stored = await this.store.listCampaigns();
      let changed = false;
      const seen = new Set<string>();
      for (const row of stored) {
        seen.add(row.id);
        if (this.versions.get(row.id) === versionOf(row)) continue;
        changed = true;
        this.rememberStored(row);
      }
      for (const id of [...this.versions.keys()]) {
        if (seen.has(id)) continue;
        changed = true;
        this.active.delete(id);
        this.versions.delete(id);
      }
      if (changed) this.refreshEntries();
      return changed;
    });
  }

  get(id: string): ActiveCampaign | undefined {
    return this.active.get(id);
  }

  async lookup(id: string): Promise<ActiveCampaign | undefined> {
    const known = this.active.get(id);
    if (known) return known;
    return this.exclusive(async () => {
      if (this.active.has(id)) return this.active.get(id);
      const stored = await this.store.getCampaign(id);
      if (!stored) return undefined;
      const active = this.rememberStored(stored);
      this.refreshEntries();
      return active;
    });
  }

  list(): ActiveCampaign[] {
    return [...this.active.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Validates, stores and activates a campaign. Throws CampaignValidationError. */
  async put(id: string, input: unknown, placeholders?: Placeholder[]): Promise<ActiveCampaign> {
    const campaign = parseCampaign(input);
    return this.exclusive(async () => {
      if (placeholders) this.placeholders.set(id, placeholders);
      this.deactivated.delete(id);
      const stored = await this.store.putCampaign(id, campaign as unknown as StoredCampaign['definition']);
      const active = this.remember(stored, campaign);
      this.versions.set(id, versionOf(stored));
      this.refreshEntries();
      return active;
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.exclusive(async () => {
      const removed = await this.store.deleteCampaign(id);
      this.active.delete(id);
      this.versions.delete(id);
      this.placeholders.delete(id);
      this.deactivated.delete(id);
      this.refreshEntries();
      return removed;
    });
  }

  /** Takes a campaign out of planning and sending without deleting it (e.g. its file is gone). */
  deactivate(id: string, reason: string): void {
    const active = this.active.get(id);
    if (!active) return;
    this.deactivated.set(id, reason);
    this.active.set(id, { ...active, ready: false, inactiveReason: reason });
    this.logger.warn({ campaign: id }, `campaign "${active.campaign.name}" is inactive: ${reason}`);
    this.refreshEntries();
  }

  /** The campaigns profile changes are planned by: ready, enabled campaigns only. */
  campaignEntries(): readonly CampaignEntry[] {
    return this.entries;
  }

  /** The planner applyTrack runs: ready, enabled campaigns only. */
  planner(now: Date): SendPlanner {
    const entries = this.entries;
    return (activity) => planSends(entries, activity, now);
  }

  /** Profile update to apply once a delivery of `campaignId` succeeded. */
  deliveredUpdate(campaignId: string, externalId: string): TrackBatch | undefined {
    const active = this.active.get(campaignId);
    return active ? deliveredUpdateBatch(active.campaign, externalId) : undefined;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Parses a stored row and activates it; an invalid one is dropped with an error log. */
  private rememberStored(stored: StoredCampaign): ActiveCampaign | undefined {
    this.versions.set(stored.id, versionOf(stored));
    try {
      return this.remember(stored, parseCampaign(stored.definition));
    } catch (error) {
      if (!(error instanceof CampaignValidationError)) throw error;
      this.active.delete(stored.id);
      this.logger.error({ campaign: stored.id, issues: error.issues }, 'stored campaign is invalid and is ignored');
      return undefined;
    }
  }

  /**
   * A saved campaign's configuration placeholders as this service resolves them, for previews of
   * an edited copy; undefined when it has none or a value is invalid.
   */
  placeholderValuesFor(id: string): { values: Record<string, string>; secrets: string[] } | undefined {
    const placeholders = this.placeholders.get(id);
    if (!placeholders?.length) return undefined;
    try {
      const resolved = resolvePlaceholders(placeholders, this.placeholderValues);
      return { values: resolved.values, secrets: resolved.secretValues };
    } catch (error) {
      if (error instanceof PlaceholderValueError) return undefined;
      throw error;
    }
  }

  private remember(stored: StoredCampaign, campaign: Campaign): ActiveCampaign {
    const placeholders = this.placeholders.get(stored.id) ?? [];
    let resolved: ResolvedPlaceholders;
    let invalid: string | undefined;
    try {
      resolved = resolvePlaceholders(placeholders, this.placeholderValues);
    } catch (error) {
      if (!(error instanceof PlaceholderValueError)) throw error;
      // A bad value (say, an instance URL with a path) disables this campaign, not the service.
      resolved = { values: {}, missing: [], secretValues: [] };
      invalid = error.message;
    }
    const missing = [...new Set(resolved.missing.map((p) => p.env))];
    const inactiveReason = invalid ?? this.deactivated.get(stored.id) ?? (missing.length > 0 ? `set ${missing.join(', ')}` : undefined);
    const active: ActiveCampaign = {
      id: stored.id,
      campaign,
      webhook: substitutePlaceholders(campaign.webhook, resolved.values),
      secrets: resolved.secretValues,
      ready: inactiveReason === undefined,
      missing,
      ...(inactiveReason ? { inactiveReason } : {}),
      stored: { createdAt: stored.createdAt, updatedAt: stored.updatedAt },
    };
    if (inactiveReason) {
      this.logger.warn({ campaign: stored.id, missing }, `campaign "${campaign.name}" is inactive: ${inactiveReason}`);
    }
    this.active.set(stored.id, active);
    return active;
  }

  private refreshEntries(): void {
    this.entries = this.list()
      .filter((a) => a.ready && a.campaign.enabled)
      .map((a) => ({ id: a.id, campaign: a.campaign }));
  }
}

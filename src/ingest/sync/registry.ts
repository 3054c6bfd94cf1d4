// The configured table syncs: stored (API) or loaded from `*.sync.json|yaml` files, run on
// demand or on their interval. One run per sync at a time in this process; across processes
// the watermark's compare-and-set stops a run that another one overtook.
import { randomBytes } from 'node:crypto';
import { DefinitionFileError, readDefinitionFiles } from '../../scoring/index.js';
import type { Attributes, StoredDefinition } from '../../domain/index.js';
import type { Intake } from '../../intake/index.js';
import type { CursorStore, DefinitionStore } from '../../store/index.js';
import { runSync, type SyncReport } from './run.js';
import { parseSyncConfig, SyncConfigError, type SyncConfig } from './schema.js';

export interface StoredSync {
  id: string;
  config: SyncConfig;
  createdAt: string;
  updatedAt: string;
}

export const newSyncId = (): string => `sy_${randomBytes(8).toString('hex')}`;

export interface SyncLogger {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export class SyncRegistry {
  private syncs = new Map<string, StoredSync>();
  private readonly running = new Map<string, Promise<SyncReport>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private scheduling = false;

  constructor(
    private readonly store: DefinitionStore & CursorStore,
    private readonly intake: Pick<Intake, 'sync'>,
    private readonly logger?: SyncLogger,
  ) {}

  async load(): Promise<void> {
    const next = new Map<string, StoredSync>();
    for (const stored of await this.store.listDefinitions('sync')) {
      try {
        next.set(stored.id, toStored(stored, parseSyncConfig(stored.definition)));
      } catch (error) {
        if (!(error instanceof SyncConfigError)) throw error;
        this.logger?.error({ sync: stored.id, issues: error.issues }, 'stored sync is invalid and is ignored');
      }
    }
    this.syncs = next;
  }

  list(): StoredSync[] {
    return [...this.syncs.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): StoredSync | undefined {
    return this.syncs.get(id);
  }

  /** Validates (throws SyncConfigError with paths) and stores. */
  async put(id: string, input: unknown): Promise<StoredSync> {
    const config = parseSyncConfig(input);
    const stored = toStored(await this.store.putDefinition('sync', id, config as unknown as Attributes), config);
    this.syncs.set(id, stored);
    if (this.scheduling) this.schedule(stored);
    return stored;
  }

  async delete(id: string): Promise<boolean> {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.syncs.delete(id);
    return this.store.deleteDefinition('sync', id);
  }

  async loadFiles(dir: string): Promise<string[]> {
    const ids: string[] = [];
    for (const file of await readDefinitionFiles(dir, 'sync')) {
      try {
        await this.put(file.id, file.content);
      } catch (error) {
        if (error instanceof SyncConfigError) throw new DefinitionFileError(file.path, error.issues);
        throw error;
      }
      ids.push(file.id);
    }
    if (ids.length > 0) this.logger?.info({ dir, syncs: ids }, `loaded ${ids.length} sync(s) from files`);
    return ids;
  }

  /** Runs the sync now; a call while it runs joins that run. */
  run(id: string): Promise<SyncReport> {
    const stored = this.syncs.get(id);
    if (!stored) return Promise.reject(new Error(`unknown sync ${id}`));
    let run = this.running.get(id);
    if (!run) {
      run = runSync(this.intake, this.store, id, stored.config).finally(() => this.running.delete(id));
      this.running.set(id, run);
    }
    return run;
  }

  /** Starts the interval runs of enabled syncs that have `interval_seconds`. */
  start(): void {
    this.scheduling = true;
    for (const stored of this.syncs.values()) this.schedule(stored);
  }

  async stop(): Promise<void> {
    this.scheduling = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled(this.running.values());
  }

  private schedule(stored: StoredSync): void {
    clearTimeout(this.timers.get(stored.id));
    this.timers.delete(stored.id);
    const seconds = stored.config.interval_seconds;
    if (!stored.config.enabled || seconds === undefined) return;
    const tick = async (): Promise<void> => {
      const report = await this.run(stored.id).catch((error: unknown) => ({ errors: [{ row: '', message: String(error) }] }));
      if (report.errors.length > 0) this.logger?.error({ sync: stored.id, errors: report.errors.slice(0, 5) }, 'sync run had errors');
      if (this.scheduling && this.syncs.get(stored.id) === stored) this.timers.set(stored.id, setTimeout(() => void tick(), seconds * 1000));
    };
    this.timers.set(stored.id, setTimeout(() => void tick(), seconds * 1000));
  }
}

function toStored(stored: StoredDefinition, config: SyncConfig): StoredSync {
  return { id: stored.id, config, createdAt: stored.createdAt, updatedAt: stored.updatedAt };
}

// Scoring on every profile change: a Store whose applyTrack (and recordOutcomes' on-delivered
// updates) run the scoring enricher unless the caller passes its own. The service wraps its store
// once, so /users/track, on-delivered updates, table syncs and CLI imports all score, before the
// campaign planner sees the changes.
import type { ActivityEnricher } from '../domain/index.js';
import type { ApplyTrackOptions, Store } from '../store/index.js';
import { ScoringProgramRegistry, type RegistryLogger } from './registry.js';

const REGISTRY = Symbol('liquidhook.scoringRegistry');

export function withScoring(
  store: Store,
  registry: ScoringProgramRegistry,
  now: () => Date = () => new Date(),
  onScored?: (scoreChanges: number) => void,
): Store {
  /** The caller's options plus the scoring enricher; `committed` reports the score changes once written. */
  const scored = (options: ApplyTrackOptions): { options: ApplyTrackOptions; committed: () => void } => {
    if (options.enricher) return { options, committed: () => undefined };
    const scoring = registry.enricher(now());
    let scoreChanges = 0;
    const enricher: ActivityEnricher = (input) => {
      const enrichment = scoring(input);
      for (const draft of enrichment.exports) if (draft.type === 'score_changed') scoreChanges++;
      return enrichment;
    };
    // Counted once committed: a rolled-back batch scored nothing.
    return { options: { ...options, enricher }, committed: () => scoreChanges > 0 && onScored?.(scoreChanges) };
  };
  const applyTrack: Store['applyTrack'] = async (batch, planner, options = {}) => {
    const run = scored(options);
    const result = await store.applyTrack(batch, planner, run.options);
    run.committed();
    return result;
  };
  // On-delivered updates commit with their outcomes; they score like any other change.
  const recordOutcomes: Store['recordOutcomes'] = async (outcomes, at, options = {}) => {
    if (!options.updates?.length) return store.recordOutcomes(outcomes, at, options);
    const run = scored(options.applyOptions ?? {});
    const result = await store.recordOutcomes(outcomes, at, { ...options, applyOptions: run.options });
    run.committed();
    return result;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === REGISTRY) return registry;
      if (property === 'applyTrack') return applyTrack;
      if (property === 'recordOutcomes') return recordOutcomes;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The registry behind a store wrapped by withScoring, if it is one. */
export function scoringRegistryOf(store: Store): ScoringProgramRegistry | undefined {
  return (store as unknown as Record<symbol, ScoringProgramRegistry | undefined>)[REGISTRY];
}

export interface ScoringStartOptions {
  /** Folder of `*.scoring.json|yaml|yml` program files upserted at start. */
  templatesDir?: string;
  logger?: RegistryLogger;
  now?: () => Date;
  /** Told how many score changes each committed batch made (metrics). */
  onScored?: (scoreChanges: number) => void;
}

/** Loads stored and file programs and returns the scoring store to use everywhere. */
export async function startScoring(store: Store, options: ScoringStartOptions = {}): Promise<{ store: Store; registry: ScoringProgramRegistry }> {
  const registry = new ScoringProgramRegistry(store, options.logger);
  await registry.load();
  if (options.templatesDir) await registry.loadFiles(options.templatesDir);
  return { store: withScoring(store, registry, options.now, options.onScored), registry };
}

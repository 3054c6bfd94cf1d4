// Scoring on every profile change: a Store whose applyTrack runs the scoring enricher unless the
// caller passes its own. The service wraps its store once, so /users/track, on-delivered updates,
// table syncs and CLI imports all score, before the campaign planner sees the changes.
import type { ActivityEnricher, Store } from '../store/types.js';
import { ScoringProgramRegistry, type RegistryLogger } from './registry.js';

const REGISTRY = Symbol('liquidhook.scoringRegistry');

export function withScoring(
  store: Store,
  registry: ScoringProgramRegistry,
  now: () => Date = () => new Date(),
  onScored?: (scoreChanges: number) => void,
): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === REGISTRY) return registry;
      if (property === 'applyTrack') {
        const applyTrack: Store['applyTrack'] = async (batch, planner, options = {}) => {
          if (options.enricher) return target.applyTrack(batch, planner, options);
          const scoring = registry.enricher(now());
          let scoreChanges = 0;
          const enricher: ActivityEnricher = (input) => {
            const enrichment = scoring(input);
            for (const draft of enrichment.exports) if (draft.type === 'score_changed') scoreChanges++;
            return enrichment;
          };
          const result = await target.applyTrack(batch, planner, { ...options, enricher });
          // Counted once committed: a rolled-back batch scored nothing.
          if (scoreChanges > 0) onScored?.(scoreChanges);
          return result;
        };
        return applyTrack;
      }
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

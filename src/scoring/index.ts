// Lead scoring: program schema, pure scoring and decay arithmetic, and backtests.
export {
  ScoringProgramSchema,
  ActionGroupSchema,
  ActionEventSchema,
  InactivitySchema,
  EntrySchema,
  MAX_ACTION_GROUPS,
  ScoringProgramError,
  parseScoringProgram,
  inactivityWindowMs,
  type ScoringProgram,
  type ScoringProgramInput,
  type ActionGroup,
} from './schema.js';
export { ExclusionSchema, matchesPropertyFilters, isExcluded, exclusionFor, type Exclusion } from './filters.js';
export {
  scoreEvent,
  scoreEventForPrograms,
  matchActionGroup,
  entryTriggered,
  readScore,
  clampScore,
  type ScoreResult,
  type ScoreOptions,
  type MultiScoreResult,
  type EntryTrigger,
} from './score.js';
export { nextDecayDue, planDecay, applyDecay, decayKey, type DecayPlan, type DecayResult } from './decay.js';
export { backtest, type BacktestOptions, type BacktestResult } from './backtest.js';
export { summarizeScores, percentile, type ScoreDistribution, type HistogramBucket } from './distribution.js';
export {
  readNdjsonEvents,
  parseNdjsonEvents,
  parseHistoryLine,
  formatHistoryLine,
  NdjsonError,
  type HistoryRecord,
  type HistoryEvent,
  type HistoryAttributes,
} from './history.js';
export { loadScoringProgram, runBacktestCli, formatBacktestReport } from './backtest-cli.js';
export { scoringEnricher, decayHandler, type ProgramEntry } from './enricher.js';
export { readDefinitionFiles, definitionIdForFile, DefinitionFileError, type DefinitionFile } from './files.js';

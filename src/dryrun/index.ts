// The campaign dry run: what a campaign would do to its whole audience (or a reproducible
// sample), rendered on a thread of its own without sending anything.
export { DryRuns, DryRunsBusyError } from './runs.js';
export type { DryRunsOptions } from './runs.js';
export { DryRun } from './run.js';
export { savedCampaignDefinition } from './definition.js';
export type { DryRunDefinition, DryRunDeps, DryRunPhase, DryRunProgress, DryRunStatus, ResolvedDryRunOptions } from './run.js';
export { DryRunOptionsSchema, UnsavedDryRunSchema, DRY_RUN_CONNECTED_CONTENT } from './schema.js';
export type { DryRunConnectedContent, DryRunOptions, UnsavedDryRun } from './schema.js';
export { MAX_GROUPS, OTHER_KEY, ordered } from './tally.js';
export type { Example, Group, Tally } from './tally.js';
export { sampleKey } from './sample.js';

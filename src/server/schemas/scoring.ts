// What the /scoring-programs routes answer, from the program schema itself (OpenAPI, and checked
// on the way out).
import { z } from 'zod';
import { ScoringProgramSchema, type BacktestResult } from '../../scoring/index.js';
import { Timestamp } from './common.js';

export const ScoringProgramViewSchema = ScoringProgramSchema.safeExtend({
  id: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
}).describe('A stored scoring program, defaults filled in');

export const ScoringProgramListSchema = z.object({ scoring_programs: z.array(ScoringProgramViewSchema) });

const Percentile = z.number().nullable();

export const BacktestResultSchema = z
  .object({
    users: z.number().int().describe('Distinct users in the history'),
    participants: z.number().int().describe('Users who entered and are not excluded at the end'),
    excluded_users: z.number().int(),
    events: z.number().int(),
    scored_events: z.number().int().describe('Events that matched an action group'),
    group_matches: z.record(z.string(), z.number().int()).describe('Matches per action group name'),
    decays: z.number().int().describe('Inactivity decrements applied'),
    from: Timestamp.nullable(),
    until: Timestamp.nullable(),
    threshold: z.number(),
    crossed_threshold: z.number().int().describe('Users whose score went from <= threshold to > threshold at least once'),
    above_threshold_at_end: z.number().int(),
    score_distribution: z.object({
      count: z.number().int(),
      min: z.number().nullable(),
      max: z.number().nullable(),
      mean: z.number().nullable(),
      percentiles: z.object({ p10: Percentile, p25: Percentile, p50: Percentile, p75: Percentile, p90: Percentile, p95: Percentile, p99: Percentile }),
      bucket_width: z.number(),
      buckets: z.array(z.object({ min: z.number(), max: z.number(), count: z.number().int() })),
    }),
    final_scores: z.record(z.string(), z.number()).optional().describe('With include_final_scores'),
  })
  .describe('How the program would have scored the history');

export function backtestView(r: BacktestResult): z.output<typeof BacktestResultSchema> {
  const { bucketWidth, ...distribution } = r.scoreDistribution;
  return {
    users: r.users,
    participants: r.participants,
    excluded_users: r.excludedUsers,
    events: r.events,
    scored_events: r.scoredEvents,
    group_matches: r.groupMatches,
    decays: r.decays,
    from: r.from,
    until: r.until,
    threshold: r.threshold,
    crossed_threshold: r.crossedThreshold,
    above_threshold_at_end: r.aboveThresholdAtEnd,
    score_distribution: { ...distribution, bucket_width: bucketWidth },
    ...(r.finalScores ? { final_scores: r.finalScores } : {}),
  };
}

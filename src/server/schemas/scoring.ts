// What the /scoring-programs routes answer, from the program schema itself (OpenAPI, and checked
// on the way out).
import { z } from 'zod';
import { ScoringProgramSchema } from '../../scoring/index.js';
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
    excludedUsers: z.number().int(),
    events: z.number().int(),
    scoredEvents: z.number().int().describe('Events that matched an action group'),
    groupMatches: z.record(z.string(), z.number().int()).describe('Matches per action group name'),
    decays: z.number().int().describe('Inactivity decrements applied'),
    from: Timestamp.nullable(),
    until: Timestamp.nullable(),
    threshold: z.number(),
    crossedThreshold: z.number().int().describe('Users whose score went from <= threshold to > threshold at least once'),
    aboveThresholdAtEnd: z.number().int(),
    scoreDistribution: z.object({
      count: z.number().int(),
      min: z.number().nullable(),
      max: z.number().nullable(),
      mean: z.number().nullable(),
      percentiles: z.object({ p10: Percentile, p25: Percentile, p50: Percentile, p75: Percentile, p90: Percentile, p95: Percentile, p99: Percentile }),
      bucketWidth: z.number(),
      buckets: z.array(z.object({ min: z.number(), max: z.number(), count: z.number().int() })),
    }),
    finalScores: z.record(z.string(), z.number()).optional().describe('With include_final_scores'),
  })
  .describe('How the program would have scored the history');

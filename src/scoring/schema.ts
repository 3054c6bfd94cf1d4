// The scoring program: the single validated shape behind the /scoring-programs API and
// program files. It mirrors the lead-scoring Canvas a marketer builds: entry triggers,
// exclusions, Action Paths with up to eight action groups, and the "everyone else" path
// that lowers the score after a window of inactivity.
import { z } from 'zod';
import { CodedError } from '../errors/index.js';
import { ExclusionSchema, FilterSchema } from './filters.js';

/** Action Paths allow at most eight action groups. */
export const MAX_ACTION_GROUPS = 8;

const nonZeroInteger = z
  .number()
  .int('points must be a whole number')
  .refine((n) => n !== 0, 'points must not be 0 (use a positive number to increment, negative to decrement)');

export const ActionEventSchema = z
  .object({
    name: z.string().min(1),
    property_filters: z.array(FilterSchema).optional(),
  })
  .strict();

export const ActionGroupSchema = z
  .object({
    name: z.string().min(1),
    events: z.array(ActionEventSchema).min(1, 'an action group needs at least one event'),
    points: nonZeroInteger,
  })
  .strict();

export const InactivitySchema = z
  .object({
    window_days: z.number().positive().optional(),
    window_seconds: z.number().int().positive().optional(),
    points: z.number().int().negative('inactivity points must be negative (a decrement)'),
  })
  .strict()
  .superRefine((v, ctx) => {
    const given = (v.window_days !== undefined ? 1 : 0) + (v.window_seconds !== undefined ? 1 : 0);
    if (given !== 1)
      ctx.addIssue({ code: 'custom', path: ['window_days'], message: 'give exactly one of window_days or window_seconds' });
  });

export const EntrySchema = z
  .object({
    events: z.array(z.string().min(1)).optional(),
    attribute_changes: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((e) => (e.events?.length ?? 0) + (e.attribute_changes?.length ?? 0) > 0, {
    message: 'entry needs at least one event or attribute change (omit entry to let every user in)',
  });

export const ScoringProgramSchema = z
  .object({
    name: z.string().min(1),
    attribute: z.string().min(1).default('lead score'),
    entry: EntrySchema.optional(),
    exclusions: z.array(ExclusionSchema).default([]),
    action_groups: z
      .array(ActionGroupSchema)
      .min(1, 'a program needs at least one action group')
      .max(MAX_ACTION_GROUPS, `Action Paths allow at most ${MAX_ACTION_GROUPS} action groups`),
    inactivity: InactivitySchema.optional(),
    floor: z.number().optional(),
    ceiling: z.number().optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.floor !== undefined && p.ceiling !== undefined && p.floor > p.ceiling)
      ctx.addIssue({ code: 'custom', path: ['ceiling'], message: 'ceiling must be greater than or equal to floor' });
    const seen = new Set<string>();
    p.action_groups.forEach((g, i) => {
      if (seen.has(g.name))
        ctx.addIssue({ code: 'custom', path: ['action_groups', i, 'name'], message: `duplicate action group name "${g.name}"` });
      seen.add(g.name);
    });
  });

/** A program after validation (defaults filled in). */
export type ScoringProgram = z.output<typeof ScoringProgramSchema>;
/** A program as written in a file or API body (defaults optional). */
export type ScoringProgramInput = z.input<typeof ScoringProgramSchema>;
export type ActionGroup = ScoringProgram['action_groups'][number];

export class ScoringProgramError extends CodedError {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super('LH_SCORING_PROGRAM_INVALID', message, { fields: issues, summary: 'invalid scoring program' });
    this.name = 'ScoringProgramError';
  }
}

/** Renders a zod path as `action_groups[2].events[0].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Validates an unknown value as a program; throws ScoringProgramError listing each issue with its path. */
export function parseScoringProgram(input: unknown, source = 'scoring program'): ScoringProgram {
  const result = ScoringProgramSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
  throw new ScoringProgramError(`invalid ${source}:\n${lines}`, issues);
}

/** Inactivity window in milliseconds, or undefined when the program has no inactivity path. */
export function inactivityWindowMs(program: ScoringProgram): number | undefined {
  const ia = program.inactivity;
  if (!ia) return undefined;
  if (ia.window_seconds !== undefined) return ia.window_seconds * 1000;
  return Math.round((ia.window_days ?? 0) * 86_400_000);
}

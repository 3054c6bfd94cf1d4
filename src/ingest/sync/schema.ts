// A table sync: which table or view to poll, where, and how its columns map to attributes.
// The schema is the single source of truth for the /syncs API and `*.sync.json|yaml` files.
import { z } from 'zod';
import { CodedError } from '../../errors/index.js';

/** A plain SQL identifier, optionally schema-qualified for the table (`crm.leads`). */
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain SQL identifier (letters, digits, _)');
const tableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/, 'must be a table or view name, optionally schema.table');

export const COLUMN_TYPES = ['auto', 'string', 'number', 'boolean', 'time', 'json'] as const;

export const ColumnMappingSchema = z
  .object({
    column: identifier,
    attribute: z.string().min(1).max(255).describe('Profile attribute the column sets, e.g. "lead score"'),
    type: z.enum(COLUMN_TYPES).default('auto').describe('Conversion; a value that does not convert rejects its row'),
  })
  .strict();

export const SyncSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sqlite'), path: z.string().min(1).describe('Database file, opened read-only') }).strict(),
  z
    .object({
      kind: z.literal('postgres'),
      url: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
    })
    .strict(),
]);

export const SyncConfigSchema = z
  .object({
    name: z.string().min(1).max(200),
    source: SyncSourceSchema,
    table: tableName,
    external_id_column: identifier.default('external_id'),
    updated_at_column: identifier.default('updated_at'),
    columns: z.array(ColumnMappingSchema).min(1, 'map at least one column to an attribute').max(200),
    batch_size: z.number().int().min(1).max(10_000).default(500),
    interval_seconds: z.number().positive().optional().describe('Run on this schedule; unset: only on demand'),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((config, ctx) => {
    const reserved = new Set([config.external_id_column, config.updated_at_column]);
    const seen = new Set<string>();
    config.columns.forEach((mapping, i) => {
      if (reserved.has(mapping.column))
        ctx.addIssue({ code: 'custom', path: ['columns', i, 'column'], message: `${mapping.column} is the id or watermark column` });
      if (seen.has(mapping.attribute))
        ctx.addIssue({ code: 'custom', path: ['columns', i, 'attribute'], message: `attribute "${mapping.attribute}" is mapped twice` });
      seen.add(mapping.attribute);
    });
  });

export type SyncConfig = z.output<typeof SyncConfigSchema>;
export type SyncConfigInput = z.input<typeof SyncConfigSchema>;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export class SyncConfigError extends CodedError {
  constructor(readonly issues: { path: string; message: string }[]) {
    super('LH_SYNC_INVALID', `invalid sync:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { fields: issues, summary: 'invalid sync' });
    this.name = 'SyncConfigError';
  }
}

const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? String(part) : `${out}.${String(part)}`), '') ||
  '(root)';

export function parseSyncConfig(input: unknown): SyncConfig {
  const result = SyncConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new SyncConfigError(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
}

// Exporter settings from the environment (validated here; listed in the configuration table).
import { z } from 'zod';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** The export table's name goes into SQL text: only a plain identifier is accepted. */
export function checkTableName(table: string): string {
  if (!IDENTIFIER.test(table)) throw new Error(`export table name must be a plain SQL identifier (got ${JSON.stringify(table)})`);
  return table;
}

export const ExportEnvSchema = z.object({
  LIQUIDHOOK_EXPORT_DB: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('Append the export stream to a table in this SQLite file or postgres:// database (unset: no exporter)'),
  LIQUIDHOOK_EXPORT_TABLE: z
    .string()
    .trim()
    .default('liquidhook_events')
    .refine((t) => {
      try {
        return checkTableName(t) === t;
      } catch {
        return false;
      }
    }, 'LIQUIDHOOK_EXPORT_TABLE must be a plain SQL identifier')
    .describe('Table the exporter appends to (created when missing)'),
  LIQUIDHOOK_EXPORT_POLL_MS: z.coerce.number().int().positive().default(5000).describe('Exporter sleep when caught up'),
});

export type ExportEnv = z.output<typeof ExportEnvSchema>;

export function exportConfigFrom(env: Record<string, string | undefined>): ExportEnv {
  const given = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('LIQUIDHOOK_EXPORT_') && v?.trim()));
  const parsed = ExportEnvSchema.safeParse(given);
  if (!parsed.success) throw new Error(`invalid export settings: ${parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

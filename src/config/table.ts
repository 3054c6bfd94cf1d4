// The configuration table (name, default, description), read from the env schema itself so
// the README and `liquidhook help` cannot drift from what loadConfig accepts.
import type { z } from 'zod';
import { ExportEnvSchema } from './export.js';
import { EnvSchema } from './schema.js';

export interface ConfigVariable {
  name: string;
  /** Default as text; undefined when the variable has none (it is optional or required). */
  default: string | undefined;
  description: string;
}

interface DefLike {
  type: string;
  defaultValue?: unknown;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

/** Follows optional/pipe/default wrappers down to the first default value. */
function defaultOf(schema: z.ZodType): unknown {
  let current: z.ZodType | undefined = schema;
  while (current) {
    const def = current._zod.def as DefLike;
    if (def.type === 'default') return def.defaultValue;
    current = def.innerType ?? def.in;
  }
  return undefined;
}

/** Every environment variable the service reads, in schema order. */
export function configVariables(): ConfigVariable[] {
  // The exporter's variables (export.ts) are validated where the exporter starts; they are listed here all the same.
  return Object.entries({ ...EnvSchema.shape, ...ExportEnvSchema.shape }).map(([name, schema]) => {
    const fallback = defaultOf(schema as z.ZodType);
    return {
      name,
      default: fallback === undefined ? undefined : String(fallback),
      description: (schema as z.ZodType).description ?? '',
    };
  });
}

/** `markdown`: a README table; `text`: two lines per variable for a terminal. */
export function renderConfigTable(format: 'markdown' | 'text' = 'text'): string {
  const variables = configVariables();
  if (format === 'markdown') {
    const cell = (text: string): string => text.replace(/\|/g, '\\|');
    const rows = variables.map((v) => `| \`${v.name}\` | ${v.default === undefined ? '(unset)' : `\`${cell(v.default)}\``} | ${cell(v.description)} |`);
    return ['| Variable | Default | Description |', '| --- | --- | --- |', ...rows].join('\n') + '\n';
  }
  return variables
    .map((v) => `  ${v.name}${v.default === undefined ? '' : ` (default: ${v.default})`}\n      ${v.description}`)
    .join('\n') + '\n';
}

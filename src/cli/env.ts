// What the command line reads from the environment (beyond `serve`, which uses loadConfig).
import { isSqliteFile } from '../config/index.js';
import { UsageError } from './errors.js';
import { pathIn, type CliIo } from './io.js';

export interface CliEnv {
  /** Base URL of a running service; when set, user/replay/sync commands go through its API. */
  apiUrl?: string;
  apiKey?: string;
  /** SQLite file path (resolved against the working directory) or postgres:// URL of the local database. */
  db: string;
  allowedHosts: string;
  /** Where file campaigns, scoring programs and syncs live (LIQUIDHOOK_TEMPLATES_DIR). */
  templatesDir: string;
}

export const DEFAULT_DB = './data/liquidhook.db';

export function readCliEnv(io: Pick<CliIo, 'env' | 'cwd'>): CliEnv {
  const { env } = io;
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const apiUrl = text('LIQUIDHOOK_URL');
  if (apiUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(apiUrl);
    } catch {
      throw new UsageError(`LIQUIDHOOK_URL must be a URL such as http://127.0.0.1:3000 (got "${apiUrl}")`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UsageError('LIQUIDHOOK_URL must be an http(s) URL');
    }
  }
  const apiKey = text('LIQUIDHOOK_API_KEY');
  // A database URL wins over the file setting, as in container setups that set both.
  const db = text('LIQUIDHOOK_DATABASE_URL') ?? text('LIQUIDHOOK_DB') ?? DEFAULT_DB;
  return {
    ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, '') } : {}),
    ...(apiKey ? { apiKey } : {}),
    db: isSqliteFile(db) ? pathIn(io, db) : db,
    allowedHosts: text('LIQUIDHOOK_ALLOWED_HOSTS') ?? '',
    templatesDir: pathIn(io, text('LIQUIDHOOK_TEMPLATES_DIR') ?? './templates'),
  };
}

export function describeDb(db: string): string {
  return isSqliteFile(db) || db === ':memory:' ? db : db.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

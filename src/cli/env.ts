// What the command line reads from the environment (beyond `serve`, which uses loadConfig).
import { isSqliteFile } from '../config/index.js';
import { UsageError } from './errors.js';

export interface CliEnv {
  /** Base URL of a running service; when set, user/replay/sync commands go through its API. */
  apiUrl?: string;
  apiKey?: string;
  /** SQLite file path or postgres:// URL of the local database. */
  db: string;
  allowedHosts: string;
}

export const DEFAULT_DB = './data/liquidhook.db';

export function readCliEnv(env: Record<string, string | undefined>): CliEnv {
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
  return {
    ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, '') } : {}),
    ...(apiKey ? { apiKey } : {}),
    // A database URL wins over the file setting, as in container setups that set both.
    db: text('LIQUIDHOOK_DATABASE_URL') ?? text('LIQUIDHOOK_DB') ?? DEFAULT_DB,
    allowedHosts: text('LIQUIDHOOK_ALLOWED_HOSTS') ?? '',
  };
}

export function describeDb(db: string): string {
  return isSqliteFile(db) || db === ':memory:' ? db : db.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

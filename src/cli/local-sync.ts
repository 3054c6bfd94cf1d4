// Runs a table sync once against the local database, wired as the service wires it: profile
// changes are scored (stored and file scoring programs) and planned into campaign sends (stored
// and file campaigns), so a running worker delivers what the sync triggers.
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { CodedError, inContext } from '../errors/index.js';
import { parseSyncConfig, runSync, SyncConfigError, SyncRegistry, type SyncConfig, type SyncReport } from '../ingest/index.js';
import { openIntake } from '../intake/index.js';
import { definitionIdForFile } from '../scoring/index.js';
import type { CliEnv } from './env.js';
import { withLocalStore } from './local-store.js';

export interface LocalSyncRequest {
  /** A stored or file sync id; with `configPath`, the id its watermark is kept under. */
  id?: string;
  configPath?: string;
  placeholderValues: Record<string, string | undefined>;
  /** Where warnings go, one JSON line each (the command's stderr). */
  logTo: (line: string) => void;
}

export async function runLocalSync(env: CliEnv, request: LocalSyncRequest): Promise<{ id: string; report: SyncReport }> {
  const fileConfig = request.configPath ? await readSyncFile(request.configPath) : undefined;
  const { templatesDir } = env;
  return withLocalStore(env.db, async (store) => {
    // Problems of stored campaigns or programs are logged to stderr, as the service logs them.
    const logger = pino({ level: 'warn', base: undefined }, { write: request.logTo });
    const { intake } = await openIntake(store, { templatesDir, logger, placeholderValues: request.placeholderValues });

    let id: string;
    let config: SyncConfig;
    if (fileConfig) {
      id = request.id ?? definitionIdForFile(request.configPath!, 'sync') ?? `file:${request.configPath}`;
      config = fileConfig;
    } else {
      const registry = new SyncRegistry(store, intake, logger);
      await registry.load();
      await registry.loadFiles(templatesDir);
      const stored = registry.get(request.id!);
      if (!stored) throw new CodedError('LH_NOT_FOUND', `sync ${request.id} not found in ${env.db} or ${templatesDir}/*.sync.json|yaml`);
      id = stored.id;
      config = stored.config;
    }
    return { id, report: await runSync(intake, store, id, config) };
  });
}

async function readSyncFile(path: string): Promise<SyncConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CodedError('LH_FILE_UNREADABLE', `${path}: cannot read file: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CodedError('LH_FILE_INVALID', `${path}: cannot parse: ${(error as Error).message}`);
  }
  try {
    return parseSyncConfig(raw);
  } catch (error) {
    // The file's name in front of the problems (LH_SYNC_INVALID).
    if (error instanceof SyncConfigError) throw inContext(error, path, error);
    throw error;
  }
}

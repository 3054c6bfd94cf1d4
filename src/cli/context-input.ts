// The render context of a command: attributes from --attrs / --attrs-file and/or the stored
// profile of --user (from the service API when LIQUIDHOOK_URL is set, else the local database).
import { readFile } from 'node:fs/promises';
import { buildLiquidContext, type LiquidContext } from '../render/index.js';
import type { Attributes, Json } from '../domain/index.js';
import { CodedError } from '../errors/index.js';
import type { CommandArgs, OptionSpec } from './args.js';
import { apiError, createApiClient } from './api-client.js';
import type { CliEnv } from './env.js';
import { UsageError } from './errors.js';
import { pathIn, readStdin, type CliIo } from './io.js';
import { withLocalStore } from './local-store.js';

export const CONTEXT_OPTIONS = {
  attrs: { type: 'string' },
  'attrs-file': { type: 'string' },
  user: { type: 'string' },
  'external-id': { type: 'string' },
  'event-properties': { type: 'string' },
} as const satisfies OptionSpec;

export const CONTEXT_HELP = `  --attrs JSON              profile attributes as /users/track names, e.g. '{"lead score": 150}'
  --attrs-file PATH         the same, read from a JSON file (- reads standard input)
  --user ID                 the stored profile of this external_id (LIQUIDHOOK_URL: from the API,
                            else from LIQUIDHOOK_DB / LIQUIDHOOK_DATABASE_URL); --attrs override it
  --external-id ID          \${user_id} when no --user is given (default: cli-user)
  --event-properties JSON   event_properties of the triggering event`;

export interface RenderSubject {
  externalId: string;
  context: LiquidContext;
}

export async function subjectFromArgs(args: CommandArgs, env: CliEnv, io: Pick<CliIo, 'cwd' | 'stdin'>, options: { required: boolean }): Promise<RenderSubject> {
  const inline = args.string('attrs');
  const file = args.string('attrs-file');
  const user = args.string('user');
  if (inline !== undefined && file !== undefined) throw new UsageError('give either --attrs or --attrs-file, not both');
  if (options.required && inline === undefined && file === undefined && user === undefined) {
    throw new UsageError('give --user ID, --attrs JSON or --attrs-file PATH');
  }
  let attributes: Attributes = {};
  if (user !== undefined) attributes = await profileAttributes(user, env);
  if (inline !== undefined) attributes = { ...attributes, ...parseObject(inline, '--attrs', usageError) };
  if (file !== undefined) attributes = { ...attributes, ...parseObject(await readJsonFile(file, io), file, fileError) };
  const eventProperties = args.string('event-properties');
  const properties = eventProperties === undefined ? undefined : parseObject(eventProperties, '--event-properties', usageError);
  const externalId = user ?? args.string('external-id') ?? 'cli-user';
  return { externalId, context: buildLiquidContext(attributes, { externalId, ...(properties ? { trigger: { properties } } : {}) }) };
}

async function readJsonFile(path: string, io: Pick<CliIo, 'cwd' | 'stdin'>): Promise<string> {
  try {
    return path === '-' ? await readStdin(io) : await readFile(pathIn(io, path), 'utf8');
  } catch (error) {
    throw new CodedError('LH_FILE_UNREADABLE', `${path}: cannot read file: ${(error as Error).message}`);
  }
}

const usageError = (message: string): Error => new UsageError(message);
const fileError = (message: string): Error => new CodedError('LH_FILE_INVALID', message);

/** A JSON object from an option (a usage error when it is not one) or a file (an invalid file). */
function parseObject(text: string, what: string, fail: (message: string) => Error): Record<string, Json> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`${what}: not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(`${what}: must be a JSON object`);
  return value as Record<string, Json>;
}

export async function profileAttributes(externalId: string, env: CliEnv): Promise<Attributes> {
  if (env.apiUrl) {
    const api = createApiClient(env.apiUrl, env.apiKey);
    const res = await api.call('GET', `/users/${encodeURIComponent(externalId)}`);
    if (res.status === 404) throw new CodedError('LH_NOT_FOUND', `user ${JSON.stringify(externalId)} not found at ${env.apiUrl}`);
    if (res.status !== 200) throw apiError(res, `cannot read user ${JSON.stringify(externalId)}`);
    return ((res.json as { attributes?: Attributes }).attributes ?? {}) as Attributes;
  }
  const profile = await withLocalStore(env.db, (store) => store.getProfile(externalId));
  if (!profile) throw new CodedError('LH_NOT_FOUND', `user ${JSON.stringify(externalId)} not found in ${env.db}`);
  return profile.attributes;
}

// Event histories for backtests: NDJSON, one record per line, in the /users/track vocabulary.
//   event:      {"external_id":"u1","name":"opened_email","time":"2025-01-02T10:00:00Z","properties":{...}}
//   attributes: {"external_id":"u1","time":"2025-01-01T09:00:00Z","attributes":{"email":"a@b.com"}}
// Parsing is pure; readNdjsonEvents is the file/stream edge.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Attributes, Json, UserEvent } from '../domain/index.js';
import { CodedError } from '../errors/index.js';
import { formatPath } from './schema.js';

export type HistoryEvent = UserEvent & { kind?: 'event' };
export interface HistoryAttributes {
  kind: 'attributes';
  externalId: string;
  time: string;
  /** Values to set; null unsets the attribute. */
  attributes: Attributes;
}
export type HistoryRecord = HistoryEvent | HistoryAttributes;

const JsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
);
const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'invalid ISO-8601 time');

const EventLine = z
  .object({
    external_id: z.string().min(1),
    name: z.string().min(1),
    time: IsoTime,
    properties: z.record(z.string(), JsonValue).optional(),
  })
  .strict();
const AttributesLine = z
  .object({
    external_id: z.string().min(1),
    time: IsoTime,
    attributes: z.record(z.string(), JsonValue),
  })
  .strict();

export class NdjsonError extends CodedError {
  constructor(
    readonly line: number,
    message: string,
    readonly source?: string,
  ) {
    super('LH_HISTORY_INVALID', `${source ? `${source}:` : 'line '}${line}: ${message}`);
    this.name = 'NdjsonError';
  }
}

/** Parses one NDJSON line; `line` (1-based) goes into the error. Blank lines give undefined. */
export function parseHistoryLine(text: string, line: number, source?: string): HistoryRecord | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch (e) {
    throw new NdjsonError(line, `invalid JSON (${(e as Error).message})`, source);
  }
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'attributes' in raw) {
    const r = AttributesLine.safeParse(raw);
    if (!r.success) throw new NdjsonError(line, describe(r.error), source);
    return { kind: 'attributes', externalId: r.data.external_id, time: normalizeTime(r.data.time), attributes: r.data.attributes };
  }
  const r = EventLine.safeParse(raw);
  if (!r.success) throw new NdjsonError(line, describe(r.error), source);
  return {
    kind: 'event',
    externalId: r.data.external_id,
    name: r.data.name,
    time: normalizeTime(r.data.time),
    properties: r.data.properties ?? {},
  };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
}

function normalizeTime(s: string): string {
  return new Date(Date.parse(s)).toISOString();
}

/** Parses a whole NDJSON text. */
export function parseNdjsonEvents(text: string, source?: string): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const rec = parseHistoryLine(l, i + 1, source);
    if (rec) out.push(rec);
  });
  return out;
}

/** Reads an NDJSON history from a file path or a stream; errors name the line. */
export async function readNdjsonEvents(input: string | Readable): Promise<HistoryRecord[]> {
  const source = typeof input === 'string' ? input : undefined;
  const stream = typeof input === 'string' ? createReadStream(input, { encoding: 'utf8' }) : input;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const out: HistoryRecord[] = [];
  let n = 0;
  try {
    for await (const l of lines) {
      n++;
      const rec = parseHistoryLine(l, n, source);
      if (rec) out.push(rec);
    }
  } catch (error) {
    // A file that cannot be opened or read (missing, a directory, no permission).
    if (source !== undefined && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      throw new CodedError('LH_FILE_UNREADABLE', `${source}: cannot read file: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  } finally {
    lines.close();
    if (typeof input === 'string') stream.destroy();
  }
  return out;
}

/** Serializes a record back to its NDJSON line. */
export function formatHistoryLine(rec: HistoryRecord): string {
  if (rec.kind === 'attributes')
    return JSON.stringify({ external_id: rec.externalId, time: rec.time, attributes: rec.attributes });
  const props = Object.keys(rec.properties ?? {}).length > 0 ? { properties: rec.properties } : {};
  return JSON.stringify({ external_id: rec.externalId, name: rec.name, time: rec.time, ...props });
}

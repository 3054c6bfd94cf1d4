// One run of a table sync: read changed rows page by page after the stored watermark, apply
// each page as profile updates through the intake (scored and planned like any change), and
// move the watermark in the same transaction. A bad row is rejected with its reason; the run
// goes on. A restart resumes after the last committed page.
import type { Json, TrackBatch } from '../../domain/index.js';
import type { Intake } from '../../intake/index.js';
import type { CursorStore } from '../../store/index.js';
import { externalIdOf, RowRejected, rowOps } from './convert.js';
import type { SyncConfig } from './schema.js';
import { openSyncSource, type SyncSource, type Watermark } from './source.js';

export interface SyncReport {
  rows_read: number;
  rows_applied: number;
  rows_rejected: number;
  /** Position after the last row read (null when nothing was ever read). */
  watermark: Watermark | null;
  /** Rejected rows (the first 100) and a failure that stopped the run, if any. */
  errors: { row: string; message: string }[];
}

export interface RunSyncOptions {
  /** Source to read (default: opened from the config, closed after the run). */
  source?: SyncSource;
  /** Stop after this many rows (default: until caught up). */
  maxRows?: number;
}

const MAX_LISTED_ERRORS = 100;

export const syncCursorName = (syncId: string): string => `sync:${syncId}`;

/** Runs the sync `syncId` once: pages go through `intake`, the watermark lives in `cursors`. */
export async function runSync(
  intake: Pick<Intake, 'sync'>,
  cursors: Pick<CursorStore, 'getCursor'>,
  syncId: string,
  config: SyncConfig,
  options: RunSyncOptions = {},
): Promise<SyncReport> {
  const cursor = syncCursorName(syncId);
  let source: SyncSource | undefined = options.source;
  const report: SyncReport = { rows_read: 0, rows_applied: 0, rows_rejected: 0, watermark: null, errors: [] };
  const reject = (row: string, message: string) => {
    report.rows_rejected++;
    if (report.errors.length < MAX_LISTED_ERRORS) report.errors.push({ row, message });
  };
  try {
    source ??= openSyncSource(config);
    let held = (await cursors.getCursor(cursor)) ?? null;
    report.watermark = held === null ? null : (JSON.parse(held) as Watermark);
    while (options.maxRows === undefined || report.rows_read < options.maxRows) {
      const limit = Math.min(config.batch_size, (options.maxRows ?? Infinity) - report.rows_read);
      const rows = await source.readPage(report.watermark, limit);
      if (rows.length === 0) break;
      report.rows_read += rows.length;
      const batch: TrackBatch = { attributes: [], events: [], purchases: [] };
      rows.forEach((row, i) => {
        let label = `#${report.rows_read - rows.length + i + 1}`;
        try {
          const externalId = externalIdOf(row.externalId);
          label = externalId;
          batch.attributes.push({ externalId, ops: rowOps(config, row.values) });
        } catch (error) {
          if (!(error instanceof RowRejected)) throw error;
          reject(label, error.message);
        }
      });
      const last = rows.at(-1)!;
      const watermark: Watermark = { updated_at: last.updatedAt, external_id: last.watermarkId as Json };
      const value = JSON.stringify(watermark);
      await intake.sync(batch, { name: cursor, expected: held, value });
      report.rows_applied += batch.attributes.length;
      held = value;
      report.watermark = watermark;
      if (rows.length < limit) break;
    }
  } catch (error) {
    report.errors.push({ row: '', message: `run stopped: ${(error as Error).message}` });
  } finally {
    if (!options.source) await source?.close().catch(() => undefined);
  }
  return report;
}

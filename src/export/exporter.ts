// Appends the export stream to a configured SQL table. Its position is a cursor in the store,
// moved by compare-and-set only after the sink has the rows: a crash in between writes the same
// rows again, which the sink ignores (primary key seq). So nothing is lost or duplicated.
// Several instances may export to the same sink: one that loses the compare-and-set race wrote
// rows the winner already wrote (ignored by the sink), so it re-reads the cursor and goes on.
import { backgroundLoop } from '../background-loop.js';
import { CursorConflictError } from '../store/index.js';
import type { CursorStore, ExportLog } from '../store/index.js';
import type { ExportSink } from './sink.js';

export interface ExporterOptions {
  store: ExportLog & CursorStore;
  sink: ExportSink;
  /** Cursor name in the store (default `export:<sink target>`); one per destination. */
  cursor?: string;
  /** Events per page (default 1000). */
  batchSize?: number;
  /** Sleep when caught up (default 5 s). */
  pollMs?: number;
  logger?: { error(obj: object, msg: string): void; debug?(obj: object, msg: string): void };
}

export interface Exporter {
  /** Copies everything up to now; returns how many events were written. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createExporter(options: ExporterOptions): Exporter {
  const cursor = options.cursor ?? `export:${options.sink.target}`;
  const batchSize = options.batchSize ?? 1000;
  const pollMs = options.pollMs ?? 5000;

  /** False when another instance moved the cursor first: the page is theirs, read on from where they left it. */
  async function moveCursor(held: string | null, value: string): Promise<boolean> {
    try {
      await options.store.moveCursor({ name: cursor, expected: held, value });
      return true;
    } catch (error) {
      if (!(error instanceof CursorConflictError)) throw error;
      // A conflict that left the cursor where it was is not another exporter's progress.
      const now = (await options.store.getCursor(cursor)) ?? null;
      if (now === held) throw error;
      options.logger?.debug?.({ cursor, expected: held, found: now, page: value }, 'another instance exported this page');
      return false;
    }
  }

  async function runOnce(): Promise<number> {
    let written = 0;
    for (;;) {
      const held = (await options.store.getCursor(cursor)) ?? null;
      const since = held === null ? 0 : Number(held);
      const events = await options.store.readExportEvents(since, batchSize);
      if (events.length === 0) return written;
      await options.sink.write(events);
      const value = String(events.at(-1)!.seq);
      if (!(await moveCursor(held, value))) continue;
      written += events.length;
      if (events.length < batchSize) return written;
    }
  }

  const loop = backgroundLoop(
    async () => {
      await runOnce();
      return pollMs;
    },
    { errorSleepMs: pollMs, onError: (error) => options.logger?.error({ err: error, cursor }, 'exporting events failed') },
  );

  return { runOnce, start: loop.start, stop: loop.stop };
}

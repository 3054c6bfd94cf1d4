// The dry runs of one service: started by the API or the CLI, looked up by id while they run
// and for a while after (in this process's memory), cancelled on request or at shutdown.
import { randomBytes } from 'node:crypto';
import { RenderPoolBusyError } from '../render/index.js';
import { DryRun, type DryRunDefinition, type DryRunDeps } from './run.js';
import type { DryRunOptions } from './schema.js';

export interface DryRunsOptions extends DryRunDeps {
  /** Runs at once; more are refused with DryRunsBusyError. */
  concurrent: number;
}

/** Finished runs stay readable this long, and no more than KEEP_FINISHED of them. */
const KEEP_MS = 60 * 60_000;
const KEEP_FINISHED = 20;
const RETRY_AFTER_SECONDS = 5;

export class DryRunsBusyError extends RenderPoolBusyError {
  constructor(running: number) {
    const message = `${running} dry run${running === 1 ? ' is' : 's are'} running already (LIQUIDHOOK_DRY_RUNS); retry in ${RETRY_AFTER_SECONDS} s or cancel one`;
    super(RETRY_AFTER_SECONDS, 'LH_DRY_RUNS_BUSY', message);
    this.name = 'DryRunsBusyError';
  }
}

export class DryRuns {
  private readonly runs = new Map<string, DryRun>();

  constructor(private readonly options: DryRunsOptions) {}

  start(definition: DryRunDefinition, options: DryRunOptions): DryRun {
    const running = [...this.runs.values()].filter((run) => run.status === 'running').length;
    if (running >= this.options.concurrent) throw new DryRunsBusyError(running);
    this.prune();
    const id = `dry_${randomBytes(8).toString('hex')}`;
    const sampling = options.sample !== undefined;
    const run = new DryRun(
      id,
      definition,
      {
        ...(sampling ? { sample: options.sample, seed: String(options.seed ?? randomBytes(4).toString('hex')) } : {}),
        connectedContent: options.connected_content,
        ...(options.recorded ? { recorded: options.recorded } : {}),
        examples: options.examples,
      },
      this.options,
    );
    this.runs.set(id, run);
    return run;
  }

  get(id: string): DryRun | undefined {
    return this.runs.get(id);
  }

  /** Stops every run (service shutdown). */
  async close(): Promise<void> {
    const running = [...this.runs.values()].filter((run) => run.status === 'running');
    for (const run of running) run.cancel();
    await Promise.all(running.map((run) => run.finished));
  }

  private prune(): void {
    const finished = [...this.runs.values()].filter((run) => run.finishedAt !== undefined).sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime());
    const cutoff = Date.now() - KEEP_MS;
    finished.forEach((run, i) => {
      if (i >= KEEP_FINISHED || run.finishedAt!.getTime() < cutoff) this.runs.delete(run.id);
    });
  }
}

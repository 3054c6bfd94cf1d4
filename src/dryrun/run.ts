// One dry run, driven from the API's side: it pages through the profiles (reading the next page
// while the run's thread renders the current one) and keeps the state GET /dry-runs/:id shows.
// The thread checks the audience and renders; its limits are the render pool's: wall time per
// render (a stalled thread is stopped) and memory per thread. A page whose thread is stopped is
// rendered again one profile at a time on a fresh thread, so the one profile that stops a thread
// is counted as an error with the stop's message and the run goes on.
import type { RenderLimits } from '../liquid/index.js';
import { RenderStoppedError, RenderThread } from '../render/pool/index.js';
import type { RecordedResponses } from '../render/preview.js';
import type { Webhook } from '../render/schema.js';
import { contentBlocksUsedBy } from '../render/template-check.js';
import type { ProfilePages } from '../store/index.js';
import type { Filter } from '../triggers/index.js';
import { stoppedProfile, type ProfileInput } from './render-profile.js';
import type { DryRunConnectedContent } from './schema.js';
import { emptyTally, type Tally } from './tally.js';
import type { ThreadTask } from './thread-entry.js';

export interface DryRunDeps {
  profiles: ProfilePages;
  /** SSRF guard exemptions for live connected_content. */
  allowedHosts: string;
  /** Wall time of one render; a thread with no progress for a second longer is stopped. */
  renderTimeMs: number;
  memoryMb: number;
  /** Longest a whole run may take. */
  timeoutMs: number;
  /** Engine limits over the defaults (tests). */
  limits?: RenderLimits;
  pageSize?: number;
  /** The Content Blocks in force (name → Liquid); the run's thread gets the ones the webhook uses. */
  contentBlocks?: { snapshot(): Record<string, string> };
}

export interface DryRunDefinition {
  campaignId?: string;
  webhook: Webhook;
  audience: Filter[];
  /** Configured secret values (placeholders) to redact. */
  secrets: string[];
  /** Problems known before rendering (placeholders without values, a missing signing secret). */
  warnings: string[];
}

export interface ResolvedDryRunOptions {
  sample?: number;
  seed?: string;
  connectedContent: DryRunConnectedContent;
  recorded?: RecordedResponses;
  examples: number;
}

export type DryRunStatus = 'running' | 'completed' | 'cancelled' | 'timed_out' | 'failed';
export type DryRunPhase = 'counting' | 'scanning' | 'rendering' | 'done';

export interface DryRunProgress {
  phase: DryRunPhase;
  /** Profiles scanned (or, rendering a sample, rendered) of `of`. */
  done: number;
  of: number;
  perSecond: number;
  etaSeconds?: number;
  elapsedMs: number;
}

const PAGE_SIZE = 500;
/** Restarts in a row without a profile counted before a page is given up. */
const MAX_FRUITLESS_RESTARTS = 3;

export class DryRun {
  status: DryRunStatus = 'running';
  phase: DryRunPhase = 'counting';
  readonly startedAt = new Date();
  finishedAt: Date | undefined;
  /** Profiles in the store when the run started, and how many it has read. */
  total = 0;
  scanned = 0;
  /** Users in the sample, once picked. */
  toRender: number | undefined;
  tally: Tally = emptyTally();
  error: string | undefined;
  readonly finished: Promise<void>;
  private thread: RenderThread | undefined;
  private readonly cursor = new Int32Array(new SharedArrayBuffer(4));
  private phaseStart = { at: performance.now(), done: 0 };
  private readonly t0 = performance.now();

  constructor(
    readonly id: string,
    readonly definition: DryRunDefinition,
    readonly options: ResolvedDryRunOptions,
    private readonly deps: DryRunDeps,
  ) {
    this.finished = this.execute();
  }

  cancel(): void {
    this.stop('cancelled', 'cancelled');
  }

  progress(): DryRunProgress {
    const sampling = this.options.sample !== undefined;
    const [done, of] =
      this.phase === 'rendering' && sampling
        ? [this.tally.rendered, this.toRender ?? 0]
        : this.phase === 'done'
          ? [this.total, this.total]
          : [this.scanned, this.total];
    const seconds = (performance.now() - this.phaseStart.at) / 1000;
    const perSecond = seconds > 0 ? (done - this.phaseStart.done) / seconds : 0;
    const left = Math.max(0, of - done);
    return {
      phase: this.phase,
      done,
      of,
      perSecond,
      ...(this.status === 'running' && perSecond > 0 ? { etaSeconds: left / perSecond } : {}),
      elapsedMs: Math.round((this.finishedAt ? this.finishedAt.getTime() - this.startedAt.getTime() : performance.now() - this.t0)),
    };
  }

  private async execute(): Promise<void> {
    const timer = setTimeout(() => this.stop('timed_out', `stopped after ${this.deps.timeoutMs} ms, the longest a dry run may take`), this.deps.timeoutMs);
    timer.unref();
    try {
      this.total = await this.deps.profiles.countProfiles();
      await this.startThread();
      if (this.options.sample !== undefined) {
        this.enter('scanning');
        await this.eachPage(async (page) => {
          this.tally = await this.run<Tally>({ kind: 'scan', profiles: page });
          this.scanned += page.length;
        });
        const chosen = await this.run<ProfileInput[]>({ kind: 'sample' });
        this.toRender = chosen.length;
        this.enter('rendering');
        for (let i = 0; i < chosen.length && this.status === 'running'; i += PAGE_SIZE) await this.renderPage(chosen.slice(i, i + PAGE_SIZE), true);
      } else {
        this.enter('rendering');
        await this.eachPage(async (page) => {
          await this.renderPage(page, false);
          this.scanned += page.length;
        });
      }
      if (this.status === 'running') {
        this.phase = 'done';
        this.finish('completed');
      }
    } catch (error) {
      if (this.status === 'running') this.finish('failed', error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
      await this.thread?.terminate();
    }
  }

  private async eachPage(work: (page: ProfileInput[]) => Promise<void>): Promise<void> {
    const read = async (after?: string): Promise<ProfileInput[]> => {
      const page = await this.deps.profiles.listProfiles({ ...(after !== undefined ? { after } : {}), limit: this.deps.pageSize ?? PAGE_SIZE });
      return page.map((p) => ({ externalId: p.externalId, attributes: p.attributes }));
    };
    let next = read();
    try {
      while (this.status === 'running') {
        const page = await next;
        if (page.length === 0) return;
        // The next page is read while the thread works on this one.
        next = read(page.at(-1)!.externalId);
        await work(page);
      }
    } finally {
      next.catch(() => undefined);
    }
  }

  private async renderPage(profiles: ProfileInput[], matched: boolean): Promise<void> {
    try {
      this.tally = await this.run<Tally>({ kind: 'render', profiles, matched, isolate: false });
      return;
    } catch (error) {
      if (!(error instanceof RenderStoppedError) || this.status !== 'running') throw error;
    }
    await this.isolate(profiles, matched);
  }

  /** The page again from the last tally the thread returned, one profile at a time. */
  private async isolate(profiles: ProfileInput[], matched: boolean): Promise<void> {
    let from = 0;
    let fruitless = 0;
    while (from < profiles.length && this.status === 'running') {
      await this.startThread();
      let last = -1;
      Atomics.store(this.cursor, 0, -1);
      try {
        this.tally = await this.run<Tally>({ kind: 'render', profiles: profiles.slice(from), matched, isolate: true }, (event) => {
          this.tally = event as Tally;
          last++;
        });
        return;
      } catch (error) {
        if (!(error instanceof RenderStoppedError) || this.status !== 'running') throw error;
        const at = Atomics.load(this.cursor, 0);
        if (at >= 0 && at === last + 1) {
          if (!matched) this.tally.inAudience++;
          stoppedProfile({ tally: this.tally, examples: this.options.examples }, profiles[from + at]!.externalId, error.message);
          from += at + 1;
          fruitless = 0;
        } else {
          // Some answers were lost with the thread: what was not counted is rendered again.
          from += last + 1;
          if (last < 0 && ++fruitless >= MAX_FRUITLESS_RESTARTS) throw error;
        }
      }
    }
  }

  private async startThread(): Promise<void> {
    await this.thread?.terminate();
    if (this.status !== 'running') return;
    this.thread = new RenderThread({
      moduleUrl: import.meta.url,
      entry: 'thread-entry',
      workerData: { cursor: this.cursor.buffer },
      memoryMb: this.deps.memoryMb,
      stallMs: this.deps.renderTimeMs + 1000,
    });
    const { campaignId: _id, warnings: _warnings, ...definition } = this.definition;
    await this.run({
      kind: 'start',
      setup: {
        ...definition,
        examples: this.options.examples,
        connectedContent: this.options.connectedContent,
        ...(this.options.recorded ? { recorded: this.options.recorded } : {}),
        allowedHosts: this.deps.allowedHosts,
        limits: { renderTimeMs: this.deps.renderTimeMs, ...this.deps.limits },
        ...(this.deps.contentBlocks ? { contentBlocks: contentBlocksUsedBy(definition.webhook, this.deps.contentBlocks.snapshot()) } : {}),
        now: this.startedAt.toISOString(),
        ...(this.options.sample !== undefined ? { sample: { size: this.options.sample, seed: this.options.seed ?? '' } } : {}),
        tally: this.tally,
      },
    });
  }

  private run<T>(task: ThreadTask, onEvent?: (event: unknown) => void): Promise<T> {
    if (!this.thread) return Promise.reject(new Error('the dry run has ended'));
    return this.thread.run<T>(task, onEvent);
  }

  private enter(phase: DryRunPhase): void {
    this.phase = phase;
    this.phaseStart = { at: performance.now(), done: 0 };
  }

  private stop(status: 'cancelled' | 'timed_out', message: string): void {
    if (this.status !== 'running') return;
    this.finish(status, status === 'cancelled' ? undefined : message);
    void this.thread?.terminate();
  }

  private finish(status: Exclude<DryRunStatus, 'running'>, error?: string): void {
    this.status = status;
    this.finishedAt = new Date();
    if (error !== undefined) this.error = error;
  }
}

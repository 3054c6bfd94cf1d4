// Section 7: the campaign dry run's rate over a store of 100,000 profiles, against plain
// rendering of the same template (the guide's MQL webhook, token call stubbed) in the same run.
//   dry run      DryRuns over a durable SQLite store: count, page through every profile (the API's
//                thread reads the next page while the run's thread checks the audience and renders),
//                count outcomes and keep examples. Wall time from start to the result.
//   baseline     assembleWebhookRequest on this thread, one render after another, with the same
//                engine settings and the same profiles' contexts (buildLiquidContext per render).
// Standalone: npx tsx bench/dry-run.ts [profiles=100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiled } from './lib/compiled.js';
import { median } from './lib/stats.js';
import { guideWebhook } from './render.js';

const { DryRuns } = await compiled<typeof import('../src/dryrun/index.js')>('dryrun/index.js');
const { createLiquid } = await compiled<typeof import('../src/liquid/index.js')>('liquid/index.js');
const { assembleWebhookRequest, buildLiquidContext, stubFetcher } = await compiled<typeof import('../src/render/index.js')>('render/index.js');
const { NO_RULES, openSqliteStore } = await compiled<typeof import('../src/store/index.js')>('store/index.js');

const AUDIENCE = [{ attribute: 'lead_status', operator: 'is_none_of' as const, values: ['MQL'] }];

export interface DryRunFigures {
  profiles: number;
  /** Profiles per second of each dry run, and of each plain-render round. */
  dryRuns: number[];
  renders: number[];
  dryRun: number;
  render: number;
  /** What the last run counted: the work was real. */
  outcome: { inAudience: number; wouldSend: number; aborted: number; errors: number };
  setupSeconds: number;
}

/** Every profile is in the audience (no lead is an MQL yet), so both sides render each one; about half abort. */
const attributesOf = (i: number) => ({ 'lead score': 40 + (i % 120), email: `lead${i}@example.com`, first_name: `Lead ${i}` });

export async function measureDryRun(profiles = 100_000, rounds = 3): Promise<DryRunFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lh-bench-dry-'));
  const store = openSqliteStore({ path: join(dir, 'bench.db') });
  try {
    await store.migrate();
    const t0 = performance.now();
    for (let start = 0; start < profiles; start += 2000) {
      const attributes = Array.from({ length: Math.min(2000, profiles - start) }, (_, k) => {
        const i = start + k;
        const ops = Object.fromEntries(Object.entries(attributesOf(i)).map(([name, value]) => [name, { op: 'set' as const, value }]));
        return { externalId: `00Q${String(i).padStart(7, '0')}`, ops };
      });
      await store.applyTrack({ attributes, events: [], purchases: [] }, NO_RULES);
    }
    const setupSeconds = (performance.now() - t0) / 1000;

    const webhook = guideWebhook();
    const engine = createLiquid({ connectedContent: { fetcher: stubFetcher } });
    const contexts = Array.from({ length: Math.min(profiles, 20_000) }, (_, i) => ({ externalId: `00Q${i}`, attributes: attributesOf(i) }));
    const plainRound = async (seconds: number): Promise<number> => {
      let n = 0;
      const start = performance.now();
      const until = start + seconds * 1000;
      while (performance.now() < until) {
        for (let k = 0; k < 100; k++, n++) {
          const c = contexts[n % contexts.length]!;
          await assembleWebhookRequest(engine, webhook, buildLiquidContext(c.attributes, { externalId: c.externalId }));
        }
      }
      return n / ((performance.now() - start) / 1000);
    };

    const runs = new DryRuns({ profiles: store, allowedHosts: '', renderTimeMs: 5000, memoryMb: 128, concurrent: 1, timeoutMs: 30 * 60_000 });
    let outcome: DryRunFigures['outcome'] = { inAudience: 0, wouldSend: 0, aborted: 0, errors: 0 };
    const dryRound = async (): Promise<number> => {
      const start = performance.now();
      const run = runs.start({ webhook, audience: AUDIENCE, secrets: [], warnings: [] }, { connected_content: 'stub', examples: 3 });
      await run.finished;
      if (run.status !== 'completed') throw new Error(`dry run ${run.status}: ${run.error ?? ''}`);
      const { tally } = run;
      outcome = {
        inAudience: tally.inAudience,
        wouldSend: tally.wouldSend.count,
        aborted: tally.aborted.reduce((n, g) => n + g.count, 0),
        errors: tally.errors.reduce((n, g) => n + g.count, 0),
      };
      return run.scanned / ((performance.now() - start) / 1000);
    };

    await plainRound(1); // JIT warm-up of the baseline; the dry run's thread warms up inside its run
    const dryRuns: number[] = [];
    const renders: number[] = [];
    // Interleaved, each side first in turn: this machine's speed drifts within seconds.
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        dryRuns.push(await dryRound());
        renders.push(await plainRound(3));
      } else {
        renders.push(await plainRound(3));
        dryRuns.push(await dryRound());
      }
    }
    await runs.close();
    return { profiles, dryRuns, renders, dryRun: median(dryRuns), render: median(renders), outcome, setupSeconds };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureDryRun(Number(process.argv[2] ?? 100_000));
  console.log(JSON.stringify({ ...figures, ratio: figures.dryRun / figures.render }, null, 2));
}

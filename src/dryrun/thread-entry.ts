// A dry run's thread. Tasks arrive in order and run one after another: `start` (the definition
// and the tally to carry on from), `scan` (audience only, for a sample), `sample` (the users
// picked), `render` (audience check and render of a page of profiles).
import { workerData } from 'node:worker_threads';
import { createLiquid, type RenderLimits } from '../liquid/index.js';
import { serveTasks, type TaskContext } from '../render/pool/index.js';
import type { RecordedResponses } from '../render/preview.js';
import type { Webhook } from '../render/schema.js';
import type { Filter } from '../triggers/index.js';
import { runFetcher, type RunFetcher } from './connected-content.js';
import { checkAudience, renderProfile, type ProfileInput, type RunContext } from './render-profile.js';
import { sampleKey, SmallestKeys } from './sample.js';
import type { DryRunConnectedContent } from './schema.js';
import type { Tally } from './tally.js';

export interface ThreadSetup {
  webhook: Webhook;
  audience: Filter[];
  secrets: string[];
  examples: number;
  connectedContent: DryRunConnectedContent;
  recorded?: RecordedResponses;
  allowedHosts: string;
  limits: RenderLimits;
  /** The Content Blocks the webhook can include. */
  contentBlocks?: Record<string, string>;
  /** ISO time the run started. */
  now: string;
  sample?: { size: number; seed: string };
  tally: Tally;
}

export type ThreadTask =
  | { kind: 'start'; setup: ThreadSetup }
  | { kind: 'scan'; profiles: ProfileInput[] }
  | { kind: 'sample' }
  /** `isolate`: one profile at a time, its index in the shared cursor, the tally sent after each. */
  | { kind: 'render'; profiles: ProfileInput[]; matched: boolean; isolate: boolean };

/** Renders in flight at once: connected_content waits overlap, CPU work does not. */
const CONCURRENCY = 4;

const cursor = new Int32Array((workerData as { cursor: SharedArrayBuffer }).cursor);
let run: (RunContext & { sample?: SmallestKeys<ProfileInput>; seed: string; fetcher: RunFetcher }) | undefined;
let chain: Promise<unknown> = Promise.resolve();

serveTasks((task, context) => {
  const next = chain.then(() => handle(task as ThreadTask, context));
  chain = next.catch(() => undefined);
  return next;
});

async function handle(task: ThreadTask, { beat, emit }: TaskContext): Promise<unknown> {
  if (task.kind === 'start') {
    await run?.fetcher.close();
    run = start(task.setup);
    return null;
  }
  if (!run) throw new Error('dry run thread not started');
  const current = run;
  if (task.kind === 'scan') {
    for (const profile of task.profiles) {
      if (checkAudience(current, profile)) current.sample?.offer(sampleKey(current.seed, profile.externalId), profile.externalId, profile);
    }
    return current.tally;
  }
  if (task.kind === 'sample') return current.sample?.items() ?? [];
  const one = async (profile: ProfileInput): Promise<(() => void) | undefined> => {
    beat();
    return task.matched || checkAudience(current, profile) ? renderProfile(current, profile) : undefined;
  };
  if (task.isolate) {
    for (let i = 0; i < task.profiles.length; i++) {
      Atomics.store(cursor, 0, i);
      (await one(task.profiles[i]!))?.();
      emit(current.tally);
    }
    return current.tally;
  }
  const counts: ((() => void) | undefined)[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < task.profiles.length) {
      const i = next++;
      counts[i] = await one(task.profiles[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, task.profiles.length) }, lane));
  for (const count of counts) count?.();
  return current.tally;
}

function start(setup: ThreadSetup): NonNullable<typeof run> {
  const tally = setup.tally;
  const fetcher = runFetcher(setup.connectedContent, {
    ...(setup.recorded ? { recorded: setup.recorded } : {}),
    allowedHosts: setup.allowedHosts,
    onRequest: () => tally.requests++,
  });
  return {
    engine: createLiquid({ connectedContent: { fetcher: fetcher.fetcher }, limits: setup.limits, ...(setup.contentBlocks ? { contentBlocks: setup.contentBlocks } : {}) }),
    webhook: setup.webhook,
    audience: setup.audience,
    now: new Date(setup.now),
    secrets: setup.secrets,
    examples: setup.examples,
    tally,
    fetcher,
    seed: setup.sample?.seed ?? '',
    ...(setup.sample ? { sample: new SmallestKeys<ProfileInput>(setup.sample.size) } : {}),
  };
}

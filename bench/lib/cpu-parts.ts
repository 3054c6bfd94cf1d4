// CPU per send by part of the send path, from CPU profiles (node --cpu-prof) of the service's
// threads over a measured window. Each sample is given to a part by the functions and files on
// its stack; each thread's measured CPU (/proc) is then split in the proportions of its samples.
// The production code carries no instrumentation: the profiler is on for this run only.
import { readFileSync } from 'node:fs';

export const PARTS = ['intake', 'store', 'render', 'request', 'outcome', 'gc', 'other'] as const;
export type Part = (typeof PARTS)[number];

interface Frame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

const frameText = (f: Frame): string => `${f.functionName} ${f.url}`;

/**
 * Rules in order, the first that matches a sample's stack wins. `outcome` is recording an
 * outcome (its SQL, the shared rule, the worker's bookkeeping); `store` is the SQL of the
 * enqueue and the claim, commits and fsyncs; `intake` is the HTTP request, validation, profile
 * changes and trigger planning (also when the planning runs inside the store's transaction).
 */
const STACK_RULES: [Part, RegExp][] = [
  ['outcome', /recordOutcomesInTransaction|applyDeliveredUpdatesInTransaction|\/deliveries\/(committer|outcome|delivery-table|invariants|lease-keeper)\./],
  ['store', /claimInTransaction|nextDueTime|renewInTransaction|releaseInTransaction|\/deliveries\/claim-loop\./],
];
/** For samples inside the track transaction: planning (intake) unless the leaf is SQL work. */
const PLANNING_LEAF = /\/(store\/rules|profiles|triggers|domain|scoring)\//;
const TRACK = /applyTrackInTransaction/;
const FILE_RULES: [Part, RegExp][] = [
  ['store', /better-sqlite3|\/store\/sqlite\/|^fsync |sqliteTransaction/],
  ['render', /liquidjs|\/liquid\/|\/render\/|\/content-blocks\//],
  ['request', /undici|\/dispatch\/|node:net|node:internal\/stream|wasm:|send-thread|send-stages|\/deliveries\/(attempt|resolve|send-port)\./],
  ['intake', /fastify|\/server\/|\/intake\/|\/ingest\/|\/profiles\/|\/triggers\/|\/store\/rules\/|zod|pino|avvio|find-my-way|light-my-request/],
];

export function partOfStack(stack: Frame[]): Part {
  const leaf = stack[0];
  if (!leaf) return 'other';
  if (leaf.functionName === '(garbage collector)') return 'gc';
  const texts = stack.map(frameText);
  for (const [part, re] of STACK_RULES) if (texts.some((t) => re.test(t))) return part;
  if (texts.some((t) => TRACK.test(t))) return PLANNING_LEAF.test(leaf.url) ? 'intake' : 'store';
  for (const [part, re] of FILE_RULES) if (texts.some((t) => re.test(t))) return part;
  return 'other';
}

/** Sampled time (µs) per part of one thread's profile between two CLOCK_MONOTONIC times (µs). */
export function partsOfProfile(profile: CpuProfile, fromUs: number, toUs: number): Record<Part, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOfNode = new Map<number, Part | null>();
  const classify = (id: number): Part | null => {
    let part = partOfNode.get(id);
    if (part !== undefined) return part;
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(root)') part = null;
    else {
      const stack: Frame[] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
      part = partOfStack(stack);
    }
    partOfNode.set(id, part);
    return part;
  };
  const totals = Object.fromEntries(PARTS.map((p) => [p, 0])) as Record<Part, number>;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) return;
    const part = classify(id);
    if (part) totals[part] += delta;
  });
  return totals;
}

export const readProfile = (path: string): CpuProfile => JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;

/** Splits `cpuUs` in the proportions of `sampled`. */
export function splitCpu(sampled: Record<Part, number>, cpuUs: number): Record<Part, number> {
  const total = PARTS.reduce((sum, p) => sum + sampled[p], 0);
  return Object.fromEntries(PARTS.map((p) => [p, total > 0 ? (cpuUs * sampled[p]) / total : 0])) as Record<Part, number>;
}

export const busyUs = (sampled: Record<Part, number>): number => PARTS.reduce((sum, p) => sum + sampled[p], 0);

// CPU per send by part (intake, store, render, request, outcome), from a profiled run of the
// service at the same settings as the end-to-end rounds (see lib/cpu-parts.ts for the split).
// The profiler slows the service a little, so this run's rate is not one of the figures; its
// CPU per send is reported beside the split.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCpuMs } from './lib/cpu.js';
import { busyUs, type Part, PARTS, partsOfProfile, readProfile, splitCpu } from './lib/cpu-parts.js';
import { serviceThroughput, setUpE2e } from './e2e.js';

export interface CpuParts {
  sends: number;
  /** µs of CPU per send, all threads of the service: `scaledTo` when given, else the profiled run's own. */
  totalUs: number;
  /** The profiled run's CPU per send (the profiler's sampling adds to it). */
  profiledUs: number;
  /** Share of the sampled busy time on the main thread (API, store, worker); the rest is the send thread's. */
  mainShare: number;
  /** µs per send by part; sums to totalUs. */
  parts: Record<Part, number>;
}

const usNow = (): number => Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC, as V8's profiles

/**
 * Splits the CPU per send in the proportions of the parts' sampled busy time on the main thread
 * and the send thread. `scaledTo` is the CPU per send of unprofiled rounds (the profiler costs CPU
 * of its own, about a third more here); without it, the profiled run's CPU per send is split.
 */
export async function measureCpuParts(sends: number, scaledTo?: number): Promise<CpuParts> {
  const dir = mkdtempSync(join(tmpdir(), 'lh-parts-'));
  try {
    const setup = await setUpE2e(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const pid = setup.service.child.pid;
    let window: [number, number];
    let profiledUs: number;
    try {
      await serviceThroughput(setup, 2_000);
      const [cpu0, from] = [processCpuMs(pid), usNow()];
      await serviceThroughput(setup, sends);
      window = [from, usNow()];
      profiledUs = ((processCpuMs(pid) - cpu0) * 1000) / sends;
    } finally {
      await setup.close();
    }
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread; of the
    // others (send thread, idle render threads) the busiest in the window is the send thread.
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    const sampled = files.map((f) => ({ main: f.split('.')[4] === '0', parts: partsOfProfile(readProfile(join(dir, f)), ...window) }));
    const main = sampled.find((s) => s.main);
    const send = sampled.filter((s) => !s.main).sort((a, b) => busyUs(b.parts) - busyUs(a.parts))[0];
    if (!main || !send) throw new Error(`expected the main and send thread profiles, found ${files.join(', ')}`);
    const both = Object.fromEntries(PARTS.map((p) => [p, main.parts[p] + send.parts[p]])) as Record<Part, number>;
    const totalUs = scaledTo ?? profiledUs;
    return { sends, totalUs, profiledUs, mainShare: busyUs(main.parts) / busyUs(both), parts: splitCpu(both, totalUs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const formatParts = (c: CpuParts): string =>
  `${PARTS.map((p) => `${p} ${c.parts[p].toFixed(0)}`).join(', ')} µs (total ${c.totalUs.toFixed(0)}, ${(c.mainShare * 100).toFixed(0)} % on the main thread; profiled run ${c.profiledUs.toFixed(0)})`;

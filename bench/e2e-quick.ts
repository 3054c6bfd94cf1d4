// Just the end-to-end sections (throughput and latency at 1,000 changes/s) against raw undici in
// the same run, for before/after comparisons. `--profile` writes a CPU profile of the service.
//   npx tsx bench/e2e-quick.ts [--profile] [--parts] [sends=10000] [latencySeconds=10]
// --parts adds a profiled run that splits the CPU per send by part (bench/e2e-parts.ts).
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processCpuMs } from './lib/cpu.js';
import { formatParts, measureCpuParts } from './e2e-parts.js';
import { rawLatency, rawThroughput, serviceLatency, serviceThroughput, setUpE2e, RAW_CONCURRENCY } from './e2e.js';


const args = process.argv.slice(2);
const profile = args.includes('--profile');
const parts = args.includes('--parts');
const [sends = 10_000, latencySeconds = 10] = args.filter((a) => !a.startsWith('--')).map(Number);
const profileDir = profile ? mkdtempSync(join(tmpdir(), 'lh-prof-')) : undefined;
// BENCH_SERVICE_ENV='{"LIQUIDHOOK_POLL_MS":"20"}' tries other service settings (defaults otherwise).
const setup = await setUpE2e(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
let cpuPerSend: number | undefined;
try {
  await serviceThroughput(setup, 2_000);
  await rawThroughput(setup.sink, 2_000, RAW_CONCURRENCY);
  const raw = await rawThroughput(setup.sink, sends, RAW_CONCURRENCY);
  const cpuBefore = processCpuMs(setup.service.child.pid);
  const service = await serviceThroughput(setup, sends);
  cpuPerSend = ((processCpuMs(setup.service.child.pid) - cpuBefore) * 1000) / sends;
  console.log(`service CPU ${cpuPerSend.toFixed(0)} µs per send (all threads)`);
  console.log(
    `throughput: service ${service.perSecond.toFixed(0)}/s, raw ${raw.perSecond.toFixed(0)}/s, ratio ${(service.perSecond / raw.perSecond).toFixed(2)}x`,
  );
  if (latencySeconds > 0) {
    const rawLat = await rawLatency(setup.sink, 1000, latencySeconds);
    const lat = await serviceLatency(setup, 1000, latencySeconds);
    const f = (x: number): string => x.toFixed(1);
    console.log(`latency at 1,000/s: service p50 ${f(lat.p50Ms)} p99 ${f(lat.p99Ms)} max ${f(lat.maxMs)} ms; raw p50 ${f(rawLat.p50Ms)} p99 ${f(rawLat.p99Ms)} ms`);
  }
} finally {
  await setup.close();
}
if (parts) console.log(`CPU per send by part: ${formatParts(await measureCpuParts(sends, profile ? undefined : cpuPerSend))}`);
if (profileDir) console.log(`profile: ${join(profileDir, readdirSync(profileDir)[0] ?? '')}`);

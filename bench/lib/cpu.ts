// CPU time of the processes a benchmark runs (Linux /proc), to set beside the rates.
import { readFileSync } from 'node:fs';

/** User + system CPU time of a process, all its threads, in ms. */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
}

/** CPU per item (µs) of each named process over `work`. */
export async function cpuPerItem<T>(pids: Record<string, number>, items: number, work: () => Promise<T>): Promise<{ result: T; cpuUs: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
  const result = await work();
  const cpuUs = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, ((processCpuMs(pid) - before[name]!) * 1000) / items]));
  return { result, cpuUs };
}

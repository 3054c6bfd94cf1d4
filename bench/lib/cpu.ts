// CPU time of the processes a benchmark runs (Linux /proc), to set beside the rates.
import { readFileSync } from 'node:fs';

const statCpuMs = (path: string): number => {
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100/s)
};

/** User + system CPU time of a process, all its threads, in ms. */
export const processCpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/stat`);

/** User + system CPU time of a process's main thread (its event loop), in ms. */
export const mainThreadCpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/task/${pid}/stat`);

/** CPU per item (µs) of each named process over `work`. */
export async function cpuPerItem<T>(pids: Record<string, number>, items: number, work: () => Promise<T>): Promise<{ result: T; cpuUs: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
  const result = await work();
  const cpuUs = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, ((processCpuMs(pid) - before[name]!) * 1000) / items]));
  return { result, cpuUs };
}

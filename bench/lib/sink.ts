// Parent-side handle of the sink process (see sink-process.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Arrival } from './sink-process.js';

export type { Arrival } from './sink-process.js';

export interface Sink {
  /** Base URL such as http://127.0.0.1:41234 (append any path). */
  url: string;
  /** The sink process (for its CPU time). */
  pid: number;
  arrivals(): Promise<Arrival[]>;
  count(): Promise<number>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./sink-process.ts', import.meta.url));

export async function startSink(): Promise<Sink> {
  const child: ChildProcess = fork(SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [first] = (await once(child, 'message')) as [{ port: number }];
  const ask = async <T>(what: string): Promise<T> => {
    const reply = once(child, 'message') as Promise<[T]>;
    child.send(what);
    return (await reply)[0];
  };
  return {
    url: `http://127.0.0.1:${first.port}`,
    pid: child.pid!,
    arrivals: async () => (await ask<{ arrivals: Arrival[] }>('report')).arrivals,
    count: async () => (await ask<{ count: number }>('count')).count,
    reset: async () => void (await ask('reset')),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

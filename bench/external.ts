// Runs the standalone benchmark scripts (dispatcher, PostgreSQL store) in their own processes
// and picks their figures out of what they print.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

async function runScript(script: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearTimeout(timer);
  return { code, output };
}

export interface DispatchFigures {
  raw: number;
  dispatcher: number;
  ratio: number;
}

export async function runDispatchBench(): Promise<DispatchFigures | { skipped: string }> {
  const { code, output } = await runScript('bench/dispatch.ts', ['1', '32'], 90_000);
  const m = /raw (\d+) sends\/s, dispatcher (\d+) sends\/s/.exec(output);
  if (code !== 0 || !m) return { skipped: `bench/dispatch.ts failed (exit ${code}): ${output.slice(-300)}` };
  const raw = Number(m[1]);
  const dispatcher = Number(m[2]);
  return { raw, dispatcher, ratio: dispatcher / raw };
}

/** Why the PostgreSQL figures cannot be taken here, or undefined when they can. */
export function postgresSkipReason(): string | undefined {
  if (!existsSync(join(ROOT, 'bench/store-postgres.ts'))) return 'bench/store-postgres.ts does not exist';
  try {
    execFileSync('initdb', ['--version'], { stdio: 'ignore' });
    execFileSync('pg_ctl', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'PostgreSQL binaries (initdb, pg_ctl) are not on PATH';
  }
  return undefined;
}

export async function runPostgresBench(): Promise<{ lines: string[] } | { skipped: string }> {
  const reason = postgresSkipReason();
  if (reason) return { skipped: reason };
  const { code, output } = await runScript('bench/store-postgres.ts', ['10000', '8'], 120_000);
  if (code !== 0) return { skipped: `bench/store-postgres.ts failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}` };
  const unavailable = /PostgreSQL unavailable: (.*)/.exec(output);
  if (unavailable) return { skipped: unavailable[1]! };
  return { lines: output.trim().split('\n').filter((l) => /\d/.test(l)) };
}

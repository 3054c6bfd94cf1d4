// The service as it runs in production: `liquidhook serve` in its own process, on a durable
// SQLite file in a temp folder, with a plain webhook campaign aimed at the sink.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { spawn } from 'node:child_process';
import { ROOT, waitFor } from '../../test/e2e/helpers.js';
import { COMPILED_CLI } from './compiled.js';

/** The serve command in a child process; `execArgv` lets a run add --cpu-prof and the like. */
export interface ChildService {
  url: string;
  pid: number;
  output(): string;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export async function spawnServe(env: Record<string, string>, execArgv: string[] = [], build: 'sources' | 'compiled' = 'sources'): Promise<ChildService> {
  // Tests run the sources they check; benchmarks run the build users install.
  const entry = build === 'compiled' ? [COMPILED_CLI] : ['--import', 'tsx', 'src/cli/main.ts'];
  const child = spawn(process.execPath, [...execArgv, ...entry, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Keep only the tail: request logs at 10,000 sends/s would otherwise pile up here.
  const keep = (c: Buffer): void => void (output = (output + c.toString()).slice(-64 * 1024));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await Promise.race([
    waitFor('the service to listen', () => /liquidhook listening on (http:\/\/[^"\s]+)/.exec(output)?.[1], 30_000),
    exited.then((code) => {
      throw new Error(`service exited with ${code}:\n${output}`);
    }),
  ]);
  return {
    url,
    pid: child.pid!,
    output: () => output,
    stop: async () => (child.exitCode !== null ? child.exitCode : (child.kill('SIGTERM'), exited)),
    async kill9() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export const BENCH_API_KEY = 'bench-api-key-0123456789';

export interface BenchService {
  url: string;
  child: ChildService;
  /** POST a JSON body; throws unless the status is 2xx. */
  post(path: string, body: unknown): Promise<unknown>;
  /** POST /users/track with `users` attribute objects. */
  track(users: Record<string, unknown>[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchService(env: Record<string, string> = {}, execArgv: string[] = []): Promise<BenchService> {
  const dir = mkdtempSync(join(tmpdir(), 'lh-bench-'));
  const child = await spawnServe({
    LIQUIDHOOK_DB: join(dir, 'liquidhook.db'),
    LIQUIDHOOK_API_KEY: BENCH_API_KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: join(dir, 'no-templates'),
    LOG_LEVEL: 'info',
    ...env,
  }, execArgv, 'compiled');
  const agent = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const res = await request(`${child.url}${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`POST ${path} answered ${res.statusCode}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    url: child.url,
    child,
    post,
    track: async (users) => void (await post('/users/track', { attributes: users })),
    async stop() {
      await agent.close();
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A campaign without connected_content: every change of `bench score` PATCHes the sink. */
export function sinkCampaign(sinkUrl: string): Record<string, unknown> {
  return {
    name: 'Bench: score change to sink',
    trigger: { type: 'custom_attribute_changed', attribute: 'bench score', change: 'any' },
    reeligible_after_seconds: 0,
    webhook: {
      url: `${sinkUrl}/leads/{{\${user_id}}}`,
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: { type: 'raw', text: '{"score": {{custom_attribute.${bench score}}}, "email": "{{${email_address}}}"}' },
    },
  };
}

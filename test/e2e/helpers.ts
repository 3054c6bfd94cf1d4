// Shared helpers of the end-to-end tests: the guide's campaign, an API client, a bounded
// wait, an in-process service and a child-process service.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { campaignInputOf } from '../../src/intake/index.js';
import { parseWebhookFile } from '../../src/render/file-format.js';
import { resolvePlaceholders, substitutePlaceholders } from '../../src/render/placeholders.js';
import { pino, type Logger } from 'pino';
import type { FakeSalesforce } from '../../examples/fake-salesforce.js';
import { loadConfig } from '../../src/config/index.js';
import { startService, type RunningService } from '../../src/server/service.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MQL_TEMPLATE = join(ROOT, 'templates/salesforce-mql-handoff.webhook.liquid');
export const API_KEY = 'e2e-test-key-0123456789';

/** The guide's campaign with only the instance URL and the client credentials filled in. */
export function guideCampaign(fake: Pick<FakeSalesforce, 'url' | 'clientId' | 'clientSecret'>): Record<string, unknown> {
  const file = parseWebhookFile(readFileSync(MQL_TEMPLATE, 'utf8'), MQL_TEMPLATE);
  const values = resolvePlaceholders(file.placeholders, {
    SALESFORCE_INSTANCE_URL: fake.url,
    SALESFORCE_CLIENT_ID: fake.clientId,
    SALESFORCE_CLIENT_SECRET: fake.clientSecret,
  });
  if (values.missing.length > 0) throw new Error(`unfilled placeholders: ${values.missing.map((p) => p.text).join(', ')}`);
  return { ...campaignInputOf(file), webhook: substitutePlaceholders(file.webhook, values.values) };
}

export interface Api {
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
}

export function apiClient(baseUrl: string, key: string | null = API_KEY): Api {
  return {
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
  };
}

/**
 * The service in this process on a temporary database, without a templates folder, polling every
 * 100 ms, allowed to send to loopback destinations (the tests' stand-ins).
 */
export async function startLoopbackService(logger: Logger = pino({ level: 'silent' })): Promise<{ service: RunningService; api: Api }> {
  const config = loadConfig({
    PORT: '0',
    LIQUIDHOOK_DB: tempDb(),
    LIQUIDHOOK_API_KEY: API_KEY,
    LIQUIDHOOK_ALLOWED_HOSTS: '127.0.0.1',
    LIQUIDHOOK_TEMPLATES_DIR: '/nonexistent-templates-dir',
    LIQUIDHOOK_POLL_MS: '100',
  });
  const service = await startService(config, { logger, env: {} });
  return { service, api: apiClient(service.url) };
}

/** Polls until `check` returns a value other than undefined; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'lh-e2e-')), 'liquidhook.db');
}

export interface ChildService {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** Runs `node --import tsx src/cli/main.ts serve` and waits for its listening line. */
export async function spawnService(env: Record<string, string>): Promise<ChildService> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await Promise.race([
    waitFor('the service to listen', () => /liquidhook listening on (http:\/\/[^"\s]+)/.exec(output)?.[1], 30_000),
    exited.then((code) => {
      throw new Error(`service exited with ${code}:\n${output}`);
    }),
  ]);
  return {
    url,
    child,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

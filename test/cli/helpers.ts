// Runs the command line in-process through `main(argv, io)` (runCli), or as a child process
// (spawnCli) for the few tests that check the program itself: its exit codes and streams.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MQL_TEMPLATE = join(ROOT, 'templates/salesforce-mql-handoff.webhook.liquid');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Working directory of the command (default: the repository root). */
  cwd?: string;
  /** Standard input (default: empty). */
  stdin?: string;
}

/** `liquidhook ...args` in this process with only `env` as its environment. */
export async function runCli(args: string[], env: Record<string, string> = {}, options: CliRunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const line = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
  const io: CliIo = {
    out: (text) => void (stdout += line(text)),
    err: (text) => void (stderr += line(text)),
    env: { ...env },
    cwd: options.cwd ?? ROOT,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
  };
  const code = await main(args, io);
  return { code: code ?? null, stdout, stderr };
}

/**
 * The real program as a child process with only PATH and `env` in its environment; killed after
 * 30 s. `entry` is src/cli/main.ts (through tsx) or the built dist/cli/main.js.
 */
export function spawnCli(args: string[], env: Record<string, string> = {}, entry = 'src/cli/main.ts'): Promise<CliResult> {
  return spawnNode([entry, ...args], env);
}

/**
 * `node [--import tsx] script ...args` in the repository with only PATH and `env` in its
 * environment, killed after `timeoutMs`. Async spawn, so loopback servers in the test process
 * keep answering while the child runs.
 */
export function spawnNode([script, ...args]: [string, ...string[]], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((done, fail) => {
    const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...loader, script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

export function tempDir(prefix = 'lh-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeTemp(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Sink {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** A loopback HTTP server that records requests and answers with `respond`. */
export async function startSink(
  respond: (req: ReceivedRequest, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  },
): Promise<Sink> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      respond(entry, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

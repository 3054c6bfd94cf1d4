// Throwaway PostgreSQL clusters for tests and benchmarks: initdb into a temp dir, start on a free
// loopback port, stop and remove afterwards. Uses the server binaries of the installed packages
// (/usr/lib/postgresql/<version>/bin), never a system-wide cluster or service.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresCluster {
  /** URL of the database created for the caller (one per cluster, e.g. per test file). */
  url: string;
  /** Creates another empty database on the same cluster and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
  /** `pg_ctl restart -m <mode>`: every session is ended and the server comes back on the same port. */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops the server (`-m fast`) and keeps its files: the database is unreachable until `start`. */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port. */
  resume(): Promise<void>;
}

export interface StartOptions {
  /** fsync=off speeds tests up; keep it on (the default here is off) only for durability tests. */
  fsync?: boolean;
  /** Server `max_connections` (default 100). */
  maxConnections?: number;
}

interface Binaries {
  bin: string;
  /** OS user to run the server as when this process is root (PostgreSQL refuses to run as root). */
  runAs?: { name: string; uid: number; gid: number };
}

function newestBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

function postgresUser(): Binaries['runAs'] | 'missing' {
  // The user database is a plain file on the systems this runs on; no need to spawn `id`.
  const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8') : '';
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) return 'missing';
  const [, , uid, gid] = line.split(':');
  return { name: 'postgres', uid: Number(uid), gid: Number(gid) };
}

function detect(): Binaries | string {
  const bin = newestBinDir();
  if (!bin) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)';
  if (process.getuid?.() !== 0) return { bin };
  const user = postgresUser();
  if (user === 'missing') return 'running as root but there is no "postgres" OS user to run the server as';
  return { bin, runAs: user };
}

const detected = detect();

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailableReason(): string | undefined {
  return typeof detected === 'string' ? detected : undefined;
}

/** Logs (once per caller) why PostgreSQL tests are skipped; returns true when they can run. */
export function postgresAvailable(what: string): boolean {
  const reason = postgresUnavailableReason();
  if (reason) console.warn(`skipping ${what}: ${reason}`);
  return reason === undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p));
const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** runuser where it exists (util-linux), otherwise su with a quoted command line. */
function asUser(user: string, path: string, args: string[]): [string, string[]] {
  if (RUNUSER) return [RUNUSER, ['-u', user, '--', path, ...args]];
  return ['su', [user, '-s', '/bin/sh', '-c', [path, ...args].map(shellQuote).join(' ')]];
}

async function exec(binaries: Binaries, tool: string, args: string[]): Promise<void> {
  const path = join(binaries.bin, tool);
  const [file, argv] = binaries.runAs ? asUser(binaries.runAs.name, path, args) : [path, args];
  try {
    await run(file, argv, { timeout: 60_000 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${tool} failed: ${e.stderr?.trim() || e.message}`);
  }
}

let databases = 0;

/** Starts a fresh cluster and creates one database in it. */
export async function startPostgres(options: StartOptions = {}): Promise<PostgresCluster> {
  if (typeof detected === 'string') throw new Error(`PostgreSQL unavailable: ${detected}`);
  const binaries = detected;
  const dir = mkdtempSync(join(tmpdir(), 'lh-pg-'));
  const data = join(dir, 'data');
  if (binaries.runAs) chownSync(dir, binaries.runAs.uid, binaries.runAs.gid);
  let started = false;
  const stop = async (): Promise<void> => {
    try {
      if (started) await exec(binaries, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      started = false;
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    // C locale: byte order for the ISO-8601 and id text columns, and no dependency on installed locales.
    await exec(binaries, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
    const port = await freePort();
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      `-c fsync=${options.fsync === true ? 'on' : 'off'}`,
      `-c max_connections=${options.maxConnections ?? 100}`,
    ].join(' ');
    const start = () => exec(binaries, 'pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', settings, 'start']);
    await start();
    started = true;
    const base = `postgres://postgres@127.0.0.1:${port}`;
    const createDatabase = async (name = `test_${process.pid}_${++databases}`): Promise<string> => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${JSON.stringify(name)}`);
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `${base}/${name}`;
    };
    const restart = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
      await exec(binaries, 'pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-m', mode, '-w', '-t', '60', '-o', settings, 'restart']);
    };
    const pause = async (): Promise<void> => {
      await exec(binaries, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      started = false;
    };
    const resume = async (): Promise<void> => {
      await start();
      started = true;
    };
    return { url: await createDatabase(), createDatabase, stop, restart, pause, resume };
  } catch (error) {
    await stop();
    throw error;
  }
}

// The crash window between a send's outcome and its on_delivered_update is closed: a writer that
// records outcomes with their updates is SIGKILLed at random moments, again and again; after each
// kill every delivered delivery has its update, and no update exists without its delivered outcome.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { postgresAvailable } from '../support/postgres.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { batch, sendOnce } from './contract-helpers.js';

const USERS = 600;
/** Writers killed at a random moment; the one after them runs to the end. */
const KILLS = 6;

/**
 * Runs the writer; with `killAfter`, SIGKILLs it once it reported that many claim rounds, up to
 * 40 ms later (while the next rounds' commits are being written). True when it finished.
 */
async function runWriter(target: string, killAfter?: number): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/outcome-writer.ts'), target], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    const rounds = stdout.split('\n').filter((line) => line.startsWith('recorded')).length;
    if (killAfter !== undefined && rounds >= killAfter) timer ??= setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  if (code !== null && code !== 0) throw new Error(`outcome writer failed (${code}): ${stderr}`);
  return stdout.includes('done\n');
}

/** Every delivery delivered has its update and every update its delivered outcome; returns how many are delivered. */
async function checkOutcomesAndUpdates(store: Store): Promise<number> {
  const deliveries = await store.listDeliveries({ limit: 1000 });
  const profiles = await store.getProfiles(deliveries.map((d) => d.externalId));
  const mismatched = deliveries.filter((d) => (d.status === 'delivered') !== (profiles.get(d.externalId)?.attributes.delivered_by === d.id));
  expect(mismatched.map((d) => `${d.id} ${d.status} ${JSON.stringify(profiles.get(d.externalId)?.attributes)}`)).toEqual([]);
  return deliveries.filter((d) => d.status === 'delivered').length;
}

async function crashRepeatedly(target: string, open: () => Promise<Store>): Promise<void> {
  const setup = await open();
  const users = Array.from({ length: USERS }, (_, i) => `u${i}`);
  for (let i = 0; i < USERS; i += 50) {
    await setup.applyTrack(batch({ attributes: users.slice(i, i + 50).map((externalId) => ({ externalId, ops: { 'lead score': { op: 'inc', by: 1 } } })) }), sendOnce('c1'));
  }
  await setup.close();
  let previous = 0;
  for (let round = 0; round <= KILLS; round++) {
    const finished = await runWriter(target, round < KILLS ? 1 + Math.floor(Math.random() * 3) : undefined);
    const store = await open();
    const delivered = await checkOutcomesAndUpdates(store);
    await store.close();
    expect(delivered).toBeGreaterThanOrEqual(previous);
    previous = delivered;
    if (round < KILLS) expect(finished, 'a writer finished before its kill: the test would prove nothing').toBe(false);
  }
  expect(previous).toBe(USERS);
}

describe('outcome and on-delivered update commit together (SIGKILL)', () => {
  it('on SQLite', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lh-crash-outcomes-')), 'store.sqlite');
    await crashRepeatedly(path, () => openStore({ driver: 'sqlite', path }));
  }, 180_000);

  describe.skipIf(!postgresAvailable('PostgreSQL outcome crash test'))('on PostgreSQL', () => {
    const cluster = usePostgresCluster();

    it('survives the kills', async () => {
      const url = await cluster().createDatabase();
      await crashRepeatedly(url, () => openStore({ driver: 'postgres', url, poolSize: 2 }));
    }, 240_000);
  });
});

// One process serves an SQLite file: the owner lock refuses a second owner (naming the holder),
// dies with its process (kill -9 included), and the new owner ends the leases the old one left.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseOwnedError, openSqliteStore } from '../../src/store/index.js';
import { acquireOwnerLock } from '../../src/store/sqlite/owner-lock.js';
import { noSends, sendOnce } from './contract-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'liquidhook-owner-'));
let n = 0;
const file = () => join(dir, `db-${n++}.sqlite`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A child process that takes the owner lock, says so, and waits to be killed. */
function lockInChild(path: string): Promise<{ pid: number; kill9(): Promise<void> }> {
  const script = `
    const { acquireOwnerLock } = await import(${JSON.stringify(new URL('../../src/store/sqlite/owner-lock.ts', import.meta.url).href)});
    acquireOwnerLock(${JSON.stringify(path)});
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('locked')) return;
      resolve({
        pid: child.pid!,
        async kill9() {
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

describe('SQLite owner lock', () => {
  it('refuses a second owner in the same process, naming the file and the holder', () => {
    const path = file();
    const lock = acquireOwnerLock(path);
    try {
      let refused: unknown;
      try {
        acquireOwnerLock(path);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(DatabaseOwnedError);
      expect((refused as DatabaseOwnedError).holder?.pid).toBe(process.pid);
      expect((refused as Error).message).toContain(path);
      expect((refused as Error).message).toContain(`process ${process.pid}`);
    } finally {
      lock.release();
    }
    // Released: the next owner gets it.
    acquireOwnerLock(path).release();
  });

  it('refuses while another process holds it, and is free the moment that process is killed -9', async () => {
    const path = file();
    const holder = await lockInChild(path);
    try {
      expect(() => acquireOwnerLock(path)).toThrow(`process ${holder.pid}`);
    } finally {
      await holder.kill9();
    }
    const lock = acquireOwnerLock(path);
    lock.release();
  }, 20_000);

  it('lets a store that does not serve the file (the CLI) open it while it is served', async () => {
    const path = file();
    const served = openSqliteStore({ path, owner: true });
    expect(() => openSqliteStore({ path, owner: true })).toThrow(DatabaseOwnedError);
    const cli = openSqliteStore({ path });
    await cli.applyTrack({ attributes: [{ externalId: 'u1', ops: { score: { op: 'set', value: 1 } } }], events: [], purchases: [] }, noSends);
    expect((await served.getProfile('u1'))?.attributes).toEqual({ score: 1 });
    await cli.close();
    await served.close();
    // Closing the served store releases the lock.
    await openSqliteStore({ path, owner: true }).close();
  });

  it('ends the leases a previous owner left, so they are claimed at once', async () => {
    const path = file();
    const first = openSqliteStore({ path, owner: true });
    const { deliveries } = await first.applyTrack(
      { attributes: ['u1', 'u2'].map((externalId) => ({ externalId, ops: { score: { op: 'set', value: 1 } } })), events: [], purchases: [] },
      sendOnce('c1', 'score'),
    );
    const now = new Date(Date.now() + 1000);
    expect(await first.claimDeliveries('old-owner', 10, now, 120_000)).toHaveLength(2);
    expect(await first.claimDeliveries('other', 10, now, 120_000)).toEqual([]);
    // Closing gives no delivery back: as after a crash, both stay leased to the old owner.
    await first.close();

    const second = openSqliteStore({ path, owner: true });
    const taken = await second.claimDeliveries('new-owner', 10, new Date(), 120_000);
    expect(taken.map((d) => d.id).sort()).toEqual(deliveries.map((d) => d.id).sort());
    await second.close();
  });

  it('leaves leases alone when the file is opened without serving it', async () => {
    const path = file();
    const store = openSqliteStore({ path });
    await store.applyTrack({ attributes: [{ externalId: 'u1', ops: { score: { op: 'set', value: 1 } } }], events: [], purchases: [] }, sendOnce('c1', 'score'));
    expect(await store.claimDeliveries('service', 10, new Date(Date.now() + 1000), 120_000)).toHaveLength(1);
    const cli = openSqliteStore({ path });
    expect(await cli.claimDeliveries('other', 10, new Date(Date.now() + 1000), 120_000)).toEqual([]);
    await cli.close();
    await store.close();
  });
});

// Campaigns changed by another process on the same database reach this process's catalog:
// lookups of unknown ids ask the store, refresh picks up creates, changes and deletes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CampaignCatalog } from '../../src/intake/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';

const silent = pino({ level: 'silent' });
const campaign = (name: string, enabled = true) => ({
  name,
  enabled,
  trigger: { type: 'custom_attribute_changed', attribute: 'score' },
  webhook: { url: 'http://127.0.0.1:9/hook', method: 'POST' },
});

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** Two catalogs over two connections to one database file, as two processes would have. */
async function twoProcesses(): Promise<[CampaignCatalog, CampaignCatalog, Store]> {
  const path = join(mkdtempSync(join(tmpdir(), 'lh-catalog-')), 'db.sqlite');
  const a = openSqliteStore({ path });
  await a.migrate();
  const b = openSqliteStore({ path });
  stores.push(a, b);
  const catalogA = new CampaignCatalog(a, silent, {});
  const catalogB = new CampaignCatalog(b, silent, {});
  await catalogA.load();
  await catalogB.load();
  return [catalogA, catalogB, a];
}

describe('campaign catalog across processes', () => {
  it('finds a campaign made elsewhere on lookup, and picks up changes and deletes on refresh', async () => {
    const [a, b] = await twoProcesses();
    await a.put('c1', campaign('First'));
    expect(b.get('c1')).toBeUndefined();
    expect((await b.lookup('c1'))?.campaign.name).toBe('First');
    expect(await b.lookup('missing')).toBeUndefined();

    await a.put('c1', campaign('Renamed', false));
    await a.put('c2', campaign('Second'));
    expect(await b.refresh()).toBe(true);
    expect(b.get('c1')?.campaign).toMatchObject({ name: 'Renamed', enabled: false });
    expect(b.list().map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(await b.refresh()).toBe(false);

    await a.delete('c2');
    expect(await b.refresh()).toBe(true);
    expect(b.get('c2')).toBeUndefined();
  });

  it('plans only with campaigns it knows, and learns new ones on refresh', async () => {
    const [a, b] = await twoProcesses();
    await a.put('c1', campaign('First'));
    const activity = { externalId: 'u1', before: { score: 1 }, after: { score: 2 }, changes: [{ attribute: 'score', before: 1, after: 2 }], events: [], purchases: [], lastEnqueuedAt: {} };
    expect(b.planner(new Date())(activity)).toEqual([]);
    await b.refresh();
    expect(b.planner(new Date())(activity)).toEqual([expect.objectContaining({ campaignId: 'c1', externalId: 'u1' })]);
  });

  it('never lets a refresh undo a put or delete running at the same time', async () => {
    const [, , store] = await twoProcesses();
    // A slow read: the rows a refresh sees are older than a put that finishes meanwhile.
    const slowList: Store = Object.create(store, {
      listCampaigns: {
        value: async () => {
          const rows = await store.listCampaigns();
          await new Promise((r) => setTimeout(r, 5));
          return rows;
        },
      },
    });
    const a = new CampaignCatalog(slowList, silent, {});
    await a.load();
    const afterRead = () => new Promise((r) => setImmediate(r));
    for (let round = 0; round < 3; round++) {
      const id = `r${round}`;
      // The refresh has read the rows and is still working when the put starts.
      const putting = a.refresh().then(() => undefined);
      await afterRead();
      await Promise.all([putting, a.put(id, campaign(`Round ${round}`))]);
      expect(a.get(id)?.campaign.name).toBe(`Round ${round}`);
      const deleting = a.refresh().then(() => undefined);
      await afterRead();
      await Promise.all([deleting, a.delete(id)]);
      expect(a.get(id)).toBeUndefined();
    }
  });

  it('ignores a stored campaign that no longer validates and keeps the rest', async () => {
    const [a, b, storeA] = await twoProcesses();
    await a.put('good', campaign('Good'));
    await storeA.putCampaign('bad', { name: '' });
    await b.refresh();
    expect(b.list().map((c) => c.id)).toEqual(['good']);
  });

  it('keeps a deactivated campaign inactive across refreshes', async () => {
    const [a, b] = await twoProcesses();
    await a.put('file:x', campaign('From a file'));
    await b.refresh();
    b.deactivate('file:x', 'its template file is gone');
    await a.put('file:x', campaign('From a file, edited'));
    await b.refresh();
    expect(b.get('file:x')).toMatchObject({ ready: false, inactiveReason: 'its template file is gone' });
  });
});

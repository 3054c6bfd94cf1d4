// Paging through every profile (a dry run's read): external-id order, each profile once, pages
// no longer than asked, and a count that agrees.
import { expect, it } from 'vitest';
import type { Profile } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { batch, noSends } from './contract-helpers.js';

export function runProfilePagesContract(fresh: () => Promise<Store>): void {
  it('pages through every profile in external-id order and counts them', async () => {
    const store = await fresh();
    expect(await store.countProfiles()).toBe(0);
    expect(await store.listProfiles({ limit: 10 })).toEqual([]);
    const ids = Array.from({ length: 23 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
    // Written out of order, in two batches.
    for (const part of [ids.slice(12).reverse(), ids.slice(0, 12)]) {
      await store.applyTrack(batch({ attributes: part.map((externalId) => ({ externalId, ops: { n: { op: 'set', value: Number(externalId.slice(5)) } } })) }), noSends);
    }
    expect(await store.countProfiles()).toBe(23);

    const pages: Profile[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.listProfiles({ ...(after !== undefined ? { after } : {}), limit: 5 });
      if (page.length === 0) break;
      pages.push(page);
      after = page.at(-1)!.externalId;
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    const seen = pages.flat();
    expect(seen.map((p) => p.externalId)).toEqual(ids);
    expect(seen[7]).toEqual(await store.getProfile('user-007'));
    expect(seen[7]!.attributes).toEqual({ n: 7 });
    expect(await store.listProfiles({ after: 'user-020', limit: 100 })).toHaveLength(2);
  });
}

import { describe, expect, it } from 'vitest';
import { createProfileLoader } from '../../src/deliveries/profile-loader.js';
import type { Profile } from '../../src/domain/index.js';

const profile = (externalId: string): Profile => ({ externalId, attributes: { id: externalId }, createdAt: 'c', updatedAt: 'u' });

function fakeStore(fail = false) {
  const reads: string[][] = [];
  return {
    reads,
    async getProfiles(ids: readonly string[]) {
      reads.push([...ids]);
      if (fail) throw new Error('disk on fire');
      return new Map(ids.filter((id) => id !== 'nobody').map((id) => [id, profile(id)]));
    },
  };
}

describe('createProfileLoader', () => {
  it('reads the profiles asked for in one turn with one call, each id once', async () => {
    const store = fakeStore();
    const load = createProfileLoader(store);
    const [a, b, again, none] = await Promise.all([load('a'), load('b'), load('a'), load('nobody')]);
    expect(store.reads).toEqual([['a', 'b', 'nobody']]);
    expect(a).toEqual(profile('a'));
    expect(b).toEqual(profile('b'));
    expect(again).toEqual(profile('a'));
    expect(none).toBeUndefined();
  });

  it('reads again for profiles asked for later', async () => {
    const store = fakeStore();
    const load = createProfileLoader(store);
    await load('a');
    await Promise.all([load('a'), load('c')]);
    expect(store.reads).toEqual([['a'], ['a', 'c']]);
  });

  it('rejects every waiter of a read that failed', async () => {
    const load = createProfileLoader(fakeStore(true));
    const results = await Promise.allSettled([load('a'), load('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('disk on fire'));
  });
});

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLeaseKeeper, type LeaseKeeper } from '../../src/deliveries/lease-keeper.js';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keepers: LeaseKeeper[] = [];
afterEach(() => keepers.splice(0).forEach((k) => k.stop()));

function keeper(held: string[], options: { renew?: () => Promise<number>; release?: () => Promise<void> } = {}) {
  const renewals: { ids: string[]; now: number; leaseMs: number }[] = [];
  const released: string[][] = [];
  const clock = 1_000_000;
  const k = createLeaseKeeper({
    store: {
      renewLeases: async (owner, ids, now, leaseMs) => {
        expect(owner).toBe('w1');
        renewals.push({ ids, now: now.getTime(), leaseMs });
        return options.renew ? options.renew() : ids.length;
      },
      releaseDeliveries: async (owner, ids) => {
        expect(owner).toBe('w1');
        released.push(ids);
        if (options.release) await options.release();
      },
    },
    owner: 'w1',
    leaseMs: 60,
    now: () => new Date(clock),
    logger: silent,
    held: () => held,
  });
  keepers.push(k);
  return { keeper: k, renewals, released, clock };
}

describe('lease keeper', () => {
  it('renews every held delivery every third of the lease, to a full lease from now', async () => {
    const k = keeper(['a', 'b']);
    k.keeper.start();
    await sleep(75);
    expect(k.renewals.length).toBeGreaterThanOrEqual(2);
    expect(k.renewals[0]).toEqual({ ids: ['a', 'b'], now: k.clock, leaseMs: 60 });
  });

  it('asks nothing when nothing is held, never renews twice at once, and stops', async () => {
    const empty = keeper([]);
    await empty.keeper.renew();
    expect(empty.renewals).toEqual([]);

    let release!: () => void;
    const slow = keeper(['a'], { renew: () => new Promise((resolve) => (release = () => resolve(1))) });
    const first = slow.keeper.renew();
    await slow.keeper.renew();
    expect(slow.renewals).toHaveLength(1);
    release();
    await first;
    slow.keeper.stop();
    await slow.keeper.renew();
    expect(slow.renewals).toHaveLength(1);
  });

  it('releases deliveries under its owner, and a failed release does not throw', async () => {
    const k = keeper([], { release: () => Promise.reject(new Error('database is gone')) });
    await k.keeper.release([]);
    await expect(k.keeper.release(['a', 'b'])).resolves.toBeUndefined();
    expect(k.released).toEqual([['a', 'b']]);
  });
});

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createClaimLoop, type ClaimLoop } from '../../src/deliveries/claim-loop.js';
import { DeliveryTable } from '../../src/deliveries/delivery-table.js';
import { Slots } from '../../src/deliveries/slots.js';
import type { Delivery } from '../../src/domain/index.js';
import { leasedDelivery as delivery } from './fixtures.js';

const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const loops: ClaimLoop[] = [];
afterEach(async () => {
  for (const loop of loops.splice(0)) await loop.stop();
});

interface FakeQueue {
  /** Due deliveries, claimed oldest first. */
  due: Delivery[];
  nextDueAt?: Date;
  /** Runs while a claim is in flight (a hand-off meanwhile). */
  duringClaim?: () => void;
  failClaims?: number;
}

function loop(queue: FakeQueue, concurrency = 2, pollMs = 1_000) {
  const table = new DeliveryTable(concurrency);
  const started: string[] = [];
  const slots = new Slots(table, concurrency, async (d) => void started.push(d.id));
  const asked: number[] = [];
  const givenBack: string[][] = [];
  const claimLoop = createClaimLoop({
    store: {
      async claimDeliveries(owner, limit) {
        expect(owner).toBe('w1');
        asked.push(limit);
        if (queue.failClaims && queue.failClaims-- > 0) throw new Error('database is locked');
        const claimed = queue.due.splice(0, limit);
        queue.duringClaim?.();
        return claimed;
      },
      nextDueAt: async () => queue.nextDueAt,
    },
    options: { owner: 'w1', batchSize: 10, concurrency, pollMs, leaseMs: 60_000 },
    table,
    slots,
    now: () => new Date(),
    logger: silent,
    beforeRound: () => {},
    claimed: () => {},
    giveBack: async (ids) => void givenBack.push(ids),
    quiet: () => {},
  });
  loops.push(claimLoop);
  return { claimLoop, table, slots, started, asked, givenBack };
}

describe('claim loop', () => {
  it('claims up to twice its slots, starts as many as it has slots, the rest as slots free', async () => {
    const queue: FakeQueue = { due: ['a', 'b', 'c', 'd', 'e', 'f'].map(delivery) };
    const l = loop(queue);
    l.claimLoop.start();
    await sleep(10);
    expect(l.asked).toEqual([4]);
    expect(l.started).toEqual(['a', 'b']);
    l.table.settle('a');
    l.table.remove('a');
    l.slots.fill();
    // A freed slot starts the next from memory; the next round claims the room it left.
    expect(l.started).toEqual(['a', 'b', 'c']);
    l.claimLoop.wake();
    await sleep(10);
    expect(l.asked).toEqual([4, 1]);
    expect(l.slots.waiting).toBe(2);
  });

  it('skips deliveries it already holds (its own lease came back) and starts nothing twice', async () => {
    const queue: FakeQueue = { due: [delivery('a')] };
    const l = loop(queue);
    l.slots.enqueue(delivery('a'));
    l.slots.fill();
    l.claimLoop.start();
    await sleep(10);
    expect(l.started).toEqual(['a']);
    expect(l.table.size).toBe(1);
  });

  it('gives back what a hand-off left no room for while the claim committed', async () => {
    const queue: FakeQueue = { due: ['a', 'b'].map(delivery) };
    const l = loop(queue);
    // While the claim is in flight, a hand-off takes the whole room (twice the slots).
    queue.duringClaim = () => ['h1', 'h2', 'h3'].forEach((id) => l.slots.enqueue(delivery(id)));
    l.claimLoop.start();
    await sleep(10);
    expect(l.givenBack).toEqual([['b']]);
    expect(l.table.size).toBe(4);
    expect(l.started).toEqual(['h1', 'h2']);
  });

  it('sleeps until the next due time, and a wake cuts the sleep short', async () => {
    const queue: FakeQueue = { due: [], nextDueAt: new Date(Date.now() + 60) };
    const l = loop(queue);
    // The claim at the due time takes what became due (a timer may fire a millisecond before
    // the wall clock reaches it).
    queue.duringClaim = () => {
      if (queue.nextDueAt && queue.nextDueAt.getTime() <= Date.now() + 5) queue.nextDueAt = undefined;
    };
    l.claimLoop.start();
    await sleep(20);
    expect(l.asked).toHaveLength(1);
    await sleep(80);
    expect(l.asked).toHaveLength(2);
    queue.due.push(delivery('a'));
    l.claimLoop.wake();
    await sleep(10);
    expect(l.started).toEqual(['a']);
  });

  it('starts nothing a claim brings once the loop is stopping: it waits in the backlog to be released', async () => {
    const queue: FakeQueue = { due: ['a', 'b'].map(delivery) };
    const l = loop(queue);
    let stopped: Promise<void> | undefined;
    queue.duringClaim = () => void (stopped = l.claimLoop.stop());
    l.claimLoop.start();
    await sleep(10);
    await stopped;
    expect(l.started).toEqual([]);
    expect(l.table.idsIn('waiting')).toEqual(['a', 'b']);
  });

  it('keeps going after a failed claim', async () => {
    const queue: FakeQueue = { due: [delivery('a')], failClaims: 1 };
    const l = loop(queue, 2, 20);
    l.claimLoop.start();
    await sleep(60);
    expect(l.started).toEqual(['a']);
  });
});

import { describe, expect, it } from 'vitest';
import { DeliveryTable } from '../../src/deliveries/delivery-table.js';
import { Slots } from '../../src/deliveries/slots.js';
import { brokenInvariant as invariantOf, leasedDelivery as delivery } from './fixtures.js';

function slots(concurrency: number) {
  const table = new DeliveryTable(concurrency);
  const started: string[] = [];
  const s = new Slots(table, concurrency, async (d) => void started.push(d.id));
  return { table, slots: s, started };
}

describe('slots and backlog', () => {
  it('starts waiting deliveries oldest first while slots are free, the rest wait in order', () => {
    const { table, slots: s, started } = slots(2);
    for (const id of ['a', 'b', 'c', 'd']) s.enqueue(delivery(id));
    s.fill();
    expect(started).toEqual(['a', 'b']);
    expect(s.waiting).toBe(2);
    table.settle('a');
    s.fill();
    expect(started).toEqual(['a', 'b', 'c']);
    table.settle('b');
    table.settle('c');
    s.fill();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect(s.waiting).toBe(0);
  });

  it('gives claims and hand-offs room up to twice `concurrency` held, less what is reserved', () => {
    const { slots: s } = slots(4);
    expect(s.spareRoom()).toBe(8);
    s.reserve(3);
    expect(s.spareRoom()).toBe(5);
    s.unreserve(3);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) s.enqueue(delivery(id));
    s.fill();
    expect(s.spareRoom()).toBe(2);
  });

  it('never holds more than twice `concurrency` (waiting, sending and reserved)', () => {
    const { slots: s } = slots(2);
    for (const id of ['a', 'b', 'c']) s.enqueue(delivery(id));
    s.reserve(1);
    expect(invariantOf(() => s.enqueue(delivery('d')))).toBe('heldCap');
    const other = slots(2).slots;
    other.reserve(4);
    expect(invariantOf(() => other.reserve(1))).toBe('heldCap');
  });

  it('never lets reserved slots go negative', () => {
    const { slots: s } = slots(2);
    s.reserve(1);
    s.unreserve(1);
    expect(invariantOf(() => s.unreserve(1))).toBe('reservedNonNegative');
  });

  it('drains the waiting deliveries at shutdown, leaving those sending', () => {
    const { table, slots: s } = slots(2);
    for (const id of ['a', 'b', 'c', 'd']) s.enqueue(delivery(id));
    s.fill();
    expect(s.drain()).toEqual(['c', 'd']);
    expect([table.size, table.idsIn('sending'), s.waiting]).toEqual([2, ['a', 'b'], 0]);
    table.settle('a');
    s.fill();
    expect(table.count('sending')).toBe(1);
  });
});

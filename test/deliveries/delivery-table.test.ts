import { describe, expect, it } from 'vitest';
import { DeliveryTable } from '../../src/deliveries/delivery-table.js';
import type { Delivery } from '../../src/domain/index.js';
import { brokenInvariant as broken, leasedDelivery as delivery } from './fixtures.js';

const never = () => new Promise<void>(() => {});

describe('delivery table', () => {
  it('moves a delivery waiting → sending → settling → gone, counting each state', async () => {
    const table = new DeliveryTable(2);
    table.add(delivery('a'));
    expect(table.stateOf('a')).toBe('waiting');
    let started: Delivery | undefined;
    table.start('a', async (d) => void (started = d));
    expect(started?.id).toBe('a');
    expect([table.stateOf('a'), table.count('sending'), table.sends()]).toEqual(['sending', 1, [expect.any(Promise)]]);
    table.settle('a');
    expect([table.stateOf('a'), table.count('sending'), table.count('settling'), table.sends()]).toEqual(['settling', 0, 1, []]);
    table.remove('a');
    expect([table.stateOf('a'), table.size, table.count('settling')]).toEqual([undefined, 0, 0]);
  });

  it('holds a delivery in exactly one state: adding a known one again throws', () => {
    const table = new DeliveryTable(2);
    table.add(delivery('a'));
    expect(broken(() => table.add(delivery('a')))).toBe('oneState');
    expect(table.count('waiting')).toBe(1);
  });

  it('never starts a settling delivery again, nor one that is not waiting', () => {
    const table = new DeliveryTable(2);
    table.add(delivery('a'));
    table.start('a', never);
    expect(broken(() => table.start('a', never))).toBe('onlyWaitingStarts');
    table.settle('a');
    expect(broken(() => table.start('a', never))).toBe('settlingNeverRestarted');
    expect(broken(() => table.start('unknown', never))).toBe('onlyWaitingStarts');
  });

  it('settles only a sending delivery', () => {
    const table = new DeliveryTable(2);
    table.add(delivery('a'));
    expect(broken(() => table.settle('a'))).toBe('onlySendingSettles');
    expect(broken(() => table.settle('unknown'))).toBe('onlySendingSettles');
  });

  it('never has more than `concurrency` sending', () => {
    const table = new DeliveryTable(2);
    for (const id of ['a', 'b', 'c']) table.add(delivery(id));
    table.start('a', never);
    table.start('b', never);
    expect(broken(() => table.start('c', never))).toBe('sendingCap');
    expect(table.stateOf('c')).toBe('waiting');
  });

  it('after close (the worker stopped) nothing is sending and nothing starts', () => {
    const table = new DeliveryTable(2);
    table.add(delivery('a'));
    table.add(delivery('b'));
    table.start('a', never);
    expect(broken(() => table.close())).toBe('nothingSendingAfterStop');
    table.remove('a');
    table.close();
    expect(broken(() => table.start('b', never))).toBe('nothingSendingAfterStop');
  });

  it('lists ids by state and all held ids (for lease renewals)', () => {
    const table = new DeliveryTable(4);
    for (const id of ['a', 'b', 'c']) table.add(delivery(id));
    table.start('b', never);
    expect(table.idsIn('waiting')).toEqual(['a', 'c']);
    expect(table.idsIn('sending')).toEqual(['b']);
    expect([...table.ids()]).toEqual(['a', 'b', 'c']);
  });
});

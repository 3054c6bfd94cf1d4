import { describe, expect, it } from 'vitest';
import { newIdempotencyKey, newTimeOrderedId } from '../../src/store/ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('time-ordered ids', () => {
  it('are UUID version 7 text carrying their millisecond, unique and in creation order', () => {
    // Far past any clock another test file of the same worker may have used (ids are monotonic per process).
    const now = Date.now() + 50 * 365 * 86_400_000;
    const ids = Array.from({ length: 3000 }, (_, i) => newTimeOrderedId(now + Math.floor(i / 1000)));
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
    expect(parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
    expect(parseInt(ids[2999]!.replace(/-/g, '').slice(0, 12), 16)).toBe(now + 2);
  });

  it('stay ordered when the clock goes back or a millisecond overflows its counter', () => {
    const first = newTimeOrderedId(Date.now() + 120_000);
    const ids = [first, ...Array.from({ length: 5000 }, () => newTimeOrderedId(0)), newIdempotencyKey()];
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
  });
});

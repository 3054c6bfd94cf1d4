import { describe, expect, it } from 'vitest';
import { applyAttributeOps, applyOp, AttributeOpError, diffAttributes, jsonEquals, uniqueValues } from '../../src/profiles/index.js';

describe('applyOp', () => {
  it('set replaces the value and copies it', () => {
    const value = { nested: [1, 2] };
    const result = applyOp('a', 'old', { op: 'set', value });
    expect(result).toEqual(value);
    expect(result).not.toBe(value);
  });

  it('set of an array collapses duplicates (arrays are sets)', () => {
    expect(applyOp('a', undefined, { op: 'set', value: ['hotdog', 'hotdog', 'pizza', 'hotdog'] })).toEqual(['hotdog', 'pizza']);
  });

  it('set null and unset remove the attribute', () => {
    expect(applyOp('a', 5, { op: 'set', value: null })).toBeUndefined();
    expect(applyOp('a', 5, { op: 'unset' })).toBeUndefined();
  });

  it('inc adds to a number, negative too', () => {
    expect(applyOp('a', 10, { op: 'inc', by: 5 })).toBe(15);
    expect(applyOp('a', 10, { op: 'inc', by: -15 })).toBe(-5);
    expect(applyOp('a', 1.5, { op: 'inc', by: 0.25 })).toBe(1.75);
  });

  it('inc on a missing or null attribute starts from 0', () => {
    expect(applyOp('a', undefined, { op: 'inc', by: 7 })).toBe(7);
    expect(applyOp('a', null, { op: 'inc', by: -2 })).toBe(-2);
  });

  it('inc on a non-number is an error naming the attribute', () => {
    expect(() => applyOp('lead score', 'ten', { op: 'inc', by: 1 })).toThrow(AttributeOpError);
    expect(() => applyOp('lead score', 'ten', { op: 'inc', by: 1 })).toThrow(/lead score.*a string/);
    expect(() => applyOp('a', [1], { op: 'inc', by: 1 })).toThrow(/an array/);
    expect(() => applyOp('a', 1, { op: 'inc', by: Number.NaN })).toThrow(/finite/);
  });

  it('add appends, creates a missing array, and moves an existing value to the end', () => {
    expect(applyOp('a', ['x'], { op: 'add', values: ['y'] })).toEqual(['x', 'y']);
    expect(applyOp('a', undefined, { op: 'add', values: ['y', 'z'] })).toEqual(['y', 'z']);
    expect(applyOp('a', ['x', 'y', 'z'], { op: 'add', values: ['x'] })).toEqual(['y', 'z', 'x']);
    expect(applyOp('a', [], { op: 'add', values: ['q', 'q'] })).toEqual(['q']);
  });

  it('add to a non-array is an error', () => {
    expect(() => applyOp('tags', 'x', { op: 'add', values: ['y'] })).toThrow(/cannot add to a string/);
  });

  it('remove drops every occurrence, deep-equal objects too', () => {
    expect(applyOp('a', ['x', 'y', 'x'], { op: 'remove', values: ['x'] })).toEqual(['y']);
    expect(applyOp('a', [{ k: 1 }, { k: 2 }], { op: 'remove', values: [{ k: 1 }] })).toEqual([{ k: 2 }]);
    expect(applyOp('a', ['x'], { op: 'remove', values: ['absent'] })).toEqual(['x']);
  });

  it('remove on a missing attribute does nothing; on a scalar it is an error', () => {
    expect(applyOp('a', undefined, { op: 'remove', values: ['x'] })).toBeUndefined();
    expect(() => applyOp('a', 3, { op: 'remove', values: ['x'] })).toThrow(/only from an array/);
  });
});

describe('applyAttributeOps', () => {
  it('returns new attributes and the changes, leaving the input untouched', () => {
    const before = { 'lead score': 10, name: 'Ada', tags: ['a'] };
    const { attributes, changes } = applyAttributeOps(before, {
      'lead score': { op: 'inc', by: 5 },
      name: { op: 'set', value: 'Ada' },
      tags: { op: 'add', values: ['b'] },
      gone: { op: 'unset' },
    });
    expect(before).toEqual({ 'lead score': 10, name: 'Ada', tags: ['a'] });
    expect(attributes).toEqual({ 'lead score': 15, name: 'Ada', tags: ['a', 'b'] });
    expect(changes).toEqual([
      { attribute: 'lead score', before: 10, after: 15 },
      { attribute: 'tags', before: ['a'], after: ['a', 'b'] },
    ]);
  });

  it('a set to an equal value (deep, any key order) is not a change', () => {
    const { changes } = applyAttributeOps({ o: { a: 1, b: [1, { c: 2 }] } }, { o: { op: 'set', value: { b: [1, { c: 2 }], a: 1 } } });
    expect(changes).toEqual([]);
  });

  it('unsetting reports after undefined; creating reports before undefined', () => {
    const { changes } = applyAttributeOps({ old: 1 }, { old: { op: 'unset' }, fresh: { op: 'set', value: true } });
    expect(changes).toEqual([
      { attribute: 'old', before: 1, after: undefined },
      { attribute: 'fresh', before: undefined, after: true },
    ]);
  });

  it('one failing op fails the whole entry without touching the input', () => {
    const before = { n: 'text', m: 1 };
    expect(() => applyAttributeOps(before, { m: { op: 'inc', by: 1 }, n: { op: 'inc', by: 1 } })).toThrow(AttributeOpError);
    expect(before).toEqual({ n: 'text', m: 1 });
  });
});

describe('attribute names', () => {
  it('treats any name as plain data, including spaces and __proto__', () => {
    const ops = JSON.parse('{"__proto__": {"op": "set", "value": {"polluted": true}}, "lead score": {"op": "inc", "by": 1}}');
    const { attributes } = applyAttributeOps({}, ops);
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(attributes))).toEqual(JSON.parse('{"__proto__": {"polluted": true}, "lead score": 1}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('json helpers', () => {
  it('jsonEquals distinguishes types, lengths and keys', () => {
    expect(jsonEquals(1, '1')).toBe(false);
    expect(jsonEquals([1], [1, 2])).toBe(false);
    expect(jsonEquals({ a: 1 }, { b: 1 })).toBe(false);
    expect(jsonEquals({ a: undefined } as never, { b: 1 } as never)).toBe(false);
    expect(jsonEquals(null, undefined)).toBe(false);
    expect(jsonEquals([], {})).toBe(false);
    expect(jsonEquals({ a: [null] }, { a: [null] })).toBe(true);
  });

  it('uniqueValues keeps first occurrences in order', () => {
    expect(uniqueValues([3, 1, 3, 2, 1])).toEqual([3, 1, 2]);
  });

  it('diffAttributes over all keys', () => {
    expect(diffAttributes({ a: 1, b: 2 }, { b: 3, c: 4 }).map((c) => c.attribute)).toEqual(['a', 'b', 'c']);
  });
});

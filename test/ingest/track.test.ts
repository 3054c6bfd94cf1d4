import { describe, expect, it } from 'vitest';
import {
  formatPath,
  formatZodIssues,
  parseBrazeTime,
  toTrackBatch,
  TrackRequestSchema,
  trackResponse,
} from '../../src/ingest/index.js';

const parse = (body: unknown) => TrackRequestSchema.parse(body);
const issues = (body: unknown) => {
  const result = TrackRequestSchema.safeParse(body);
  if (result.success) throw new Error('expected a validation error');
  return formatZodIssues(result.error);
};
const NOW = new Date('2030-06-01T12:00:00.000Z');

describe('TrackRequestSchema', () => {
  it('accepts Braze attributes: profile fields, custom names with spaces, arrays, objects, ops, null', () => {
    const body = parse({
      attributes: [
        {
          external_id: 'lead-1',
          email: 'ada@example.com',
          first_name: 'Ada',
          'lead score': { inc: 10 },
          lead_status: null,
          tags: ['a', 'b'],
          interests: { add: ['x'], remove: ['y'] },
          company: { name: 'ACME', size: 10 },
          active: true,
        },
      ],
    });
    expect(body.attributes?.[0]?.['lead score']).toEqual({ inc: 10 });
  });

  it('rejects a missing or non-string external_id with its path', () => {
    expect(issues({ attributes: [{ email: 'a@b.c' }] })[0]?.path).toBe('attributes[0].external_id');
    const found = issues({ attributes: [{ external_id: 'ok' }, {}, {}, { external_id: 7 }] });
    expect(found.map((i) => i.path)).toEqual(['attributes[1].external_id', 'attributes[2].external_id', 'attributes[3].external_id']);
  });

  it('rejects malformed operations with the attribute in the path', () => {
    expect(issues({ attributes: [{ external_id: 'u', 'lead score': { inc: '5' } }] })).toEqual([
      { path: 'attributes[0]["lead score"].inc', message: 'inc must be a number' },
    ]);
    expect(issues({ attributes: [{ external_id: 'u', tags: { add: 'x' } }] })[0]?.path).toBe('attributes[0].tags.add');
    expect(issues({ attributes: [{ external_id: 'u', n: { inc: 1, add: [1] } }] })[0]?.message).toMatch(/cannot be combined/);
  });

  it('requires string profile fields to be strings or null', () => {
    expect(issues({ attributes: [{ external_id: 'u', email: 5 }] })[0]?.path).toBe('attributes[0].email');
    expect(parse({ attributes: [{ external_id: 'u', email: null }] }).attributes?.[0]?.email).toBeNull();
  });

  it('allows 75 objects of each kind and rejects 76', () => {
    const attrs = (n: number) => Array.from({ length: n }, (_, i) => ({ external_id: `u${i}` }));
    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ external_id: `u${i}`, name: 'e', time: '2024-01-01T00:00:00Z' }));
    expect(() => parse({ attributes: attrs(75), events: events(75) })).not.toThrow();
    expect(issues({ attributes: attrs(76) })).toEqual([{ path: 'attributes', message: 'at most 75 attributes objects per request' }]);
    expect(issues({ events: events(76) })[0]?.path).toBe('events');
  });

  it('validates events and purchases', () => {
    expect(issues({ events: [{ external_id: 'u', name: '', time: '2024-01-01T00:00:00Z' }] })[0]?.path).toBe('events[0].name');
    // One error per bad time, whether it is not shaped like a time or not a real date.
    expect(issues({ events: [{ external_id: 'u', name: 'e', time: 'yesterday' }] })).toEqual([
      expect.objectContaining({ path: 'events[0].time', message: expect.stringContaining('ISO-8601') }),
    ]);
    expect(issues({ events: [{ external_id: 'u', name: 'e', time: '2024-13-45T00:00:00Z' }] })).toEqual([
      expect.objectContaining({ path: 'events[0].time', message: 'is not a valid date-time' }),
    ]);
    expect(issues({ events: [{ external_id: 'u', name: 'e', time: '2024-02-30T00:00:00Z', extra: 1 }] }).map((i) => i.path)).toContain('events[0]');
    const purchase = { external_id: 'u', product_id: 'p', currency: 'usd', price: 1.5, time: '2024-01-01T00:00:00Z' };
    expect(() => parse({ purchases: [purchase] })).not.toThrow();
    expect(issues({ purchases: [{ ...purchase, currency: 'dollars' }] })[0]?.path).toBe('purchases[0].currency');
    expect(issues({ purchases: [{ ...purchase, quantity: 0 }] })[0]?.path).toBe('purchases[0].quantity');
    expect(issues({ purchases: [{ ...purchase, price: '1' }] })[0]?.path).toBe('purchases[0].price');
  });
});

describe('parseBrazeTime', () => {
  it('reads ISO-8601 with zone, offset, no zone (UTC) and the colon-millis form', () => {
    expect(parseBrazeTime('2024-05-01T10:00:00Z')?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(parseBrazeTime('2024-05-01T10:00:00+02:00')?.toISOString()).toBe('2024-05-01T08:00:00.000Z');
    expect(parseBrazeTime('2024-05-01T10:00:00')?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(parseBrazeTime('2024-05-01T10:00:00:250-0500')?.toISOString()).toBe('2024-05-01T15:00:00.250Z');
    expect(parseBrazeTime('2024-05-01')?.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect(parseBrazeTime('not a date')).toBeUndefined();
  });
});

describe('toTrackBatch', () => {
  it('turns attribute values into operations', () => {
    const { batch, errors } = toTrackBatch(
      parse({
        attributes: [
          {
            external_id: 'u1',
            user_alias: { alias_name: 'a', alias_label: 'b' },
            'lead score': { inc: 5 },
            status: 'new',
            gone: null,
            tags: { add: ['x'] },
            nested: { inc: 1, other: 2 },
          },
        ],
      }),
      NOW,
    );
    expect(errors).toEqual([]);
    expect(batch.attributes).toEqual([
      {
        externalId: 'u1',
        ops: {
          'lead score': { op: 'inc', by: 5 },
          status: { op: 'set', value: 'new' },
          gone: { op: 'unset' },
          tags: { op: 'add', values: ['x'] },
          nested: { op: 'set', value: { inc: 1, other: 2 } },
        },
      },
    ]);
  });

  it('applies add then remove when both are given', () => {
    const { batch } = toTrackBatch(parse({ attributes: [{ external_id: 'u1', tags: { add: ['a'], remove: ['b'] } }] }), NOW);
    expect(batch.attributes).toEqual([
      { externalId: 'u1', ops: { tags: { op: 'add', values: ['a'] } } },
      { externalId: 'u1', ops: { tags: { op: 'remove', values: ['b'] } } },
    ]);
  });

  it('keeps names that collide with Object.prototype members as attributes', () => {
    const { batch, errors } = toTrackBatch(parse({ attributes: [{ external_id: 'u1', constructor: 2, toString: 'x' }] }), NOW);
    expect(errors).toEqual([]);
    expect(batch.attributes[0]?.ops).toEqual({ constructor: { op: 'set', value: 2 }, toString: { op: 'set', value: 'x' } });
  });

  it('keeps email under its Braze name', () => {
    const { batch } = toTrackBatch(parse({ attributes: [{ external_id: 'u1', email: 'a@b.c' }] }), NOW);
    expect(batch.attributes[0]?.ops).toEqual({ email: { op: 'set', value: 'a@b.c' } });
  });

  it('reports dropped fields and unsupported flags as non-fatal errors', () => {
    const { batch, errors } = toTrackBatch(
      parse({ attributes: [{ external_id: 'u1' }, { external_id: 'u2', bio: 'x', _update_existing_only: true, a: 1 }] }),
      NOW,
    );
    expect(batch.attributes[1]?.ops).toEqual({ a: { op: 'set', value: 1 } });
    expect(errors.map((e) => [e.input_array, e.index])).toEqual([
      ['attributes', 1],
      ['attributes', 1],
    ]);
    expect(errors[0]?.type).toMatch(/bio/);
  });

  it('normalizes event and purchase times to UTC ISO and clamps the future to now', () => {
    const { batch } = toTrackBatch(
      parse({
        events: [
          { external_id: 'u1', name: 'e', time: '2024-01-01T01:00:00+01:00', properties: { a: 1 } },
          { external_id: 'u1', name: 'e', time: '2099-01-01T00:00:00Z' },
        ],
        purchases: [{ external_id: 'u1', product_id: 'p', currency: 'eur', price: 2, time: '2024-01-01T00:00:00Z' }],
      }),
      NOW,
    );
    expect(batch.events.map((e) => e.time)).toEqual(['2024-01-01T00:00:00.000Z', NOW.toISOString()]);
    expect(batch.events[1]?.properties).toEqual({});
    expect(batch.purchases[0]).toMatchObject({ currency: 'EUR', quantity: 1, price: 2, productId: 'p' });
  });
});

describe('trackResponse', () => {
  it('counts the kinds present in the request', () => {
    const body = parse({ attributes: [{ external_id: 'a' }, { external_id: 'b' }], events: [] });
    expect(trackResponse(body)).toEqual({ message: 'success', attributes_processed: 2, events_processed: 0 });
  });

  it('adds non-fatal errors when there are any', () => {
    const body = parse({ purchases: [] });
    const error = { type: 'x', input_array: 'attributes' as const, index: 0 };
    expect(trackResponse(body, [error])).toEqual({ message: 'success', purchases_processed: 0, errors: [error] });
  });
});

describe('formatPath', () => {
  it('uses brackets for indices and for keys that are not identifiers', () => {
    expect(formatPath(['attributes', 3, 'external_id'])).toBe('attributes[3].external_id');
    expect(formatPath(['attributes', 0, 'lead score', 'inc'])).toBe('attributes[0]["lead score"].inc');
    expect(formatPath([])).toBe('');
  });
});

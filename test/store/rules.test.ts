// The rules both backends share, tested without a database.
import { describe, expect, it } from 'vitest';
import { applyOutcome, type LockedDelivery, planOutcomes } from '../../src/store/rules/outcome.js';
import { eligibilityKeys } from '../../src/store/rules/eligibility.js';
import { planDeliveredUpdates } from '../../src/store/rules/delivered-updates.js';
import type { TrackState } from '../../src/store/rules/track.js';

const at = '2030-01-01T00:00:10.000Z';
const row = (over: Partial<LockedDelivery<string>> = {}): LockedDelivery<string> => ({
  id: 'd1',
  campaign_id: 'c1',
  external_id: 'u1',
  status: 'sending',
  attempts: 0,
  next_attempt_at: '2030-01-01T00:00:00.000Z',
  first_attempt_at: null,
  last_error: null,
  failure_code: null,
  abort_reason: null,
  request: null,
  lease_owner: 'w1',
  lease_until: '2030-01-01T00:01:00.000Z',
  updated_at: '2030-01-01T00:00:00.000Z',
  ...over,
});
const attempt = (n: number, error?: string) => ({ attempt: n, at, latencyMs: 3, ...(error ? { error } : {}) });

describe('applyOutcome', () => {
  it('queues a retry at its next attempt, counts the attempt and keeps the first attempt time', () => {
    const next = applyOutcome(row({ first_attempt_at: '2030-01-01T00:00:01.000Z' }), { id: 'd1', status: 'retry', attempt: attempt(1, 'HTTP 503'), nextAttemptAt: '2030-01-01T00:00:20.000Z' }, at, JSON.stringify);
    expect(next).toMatchObject({
      status: 'queued',
      attempts: 1,
      next_attempt_at: '2030-01-01T00:00:20.000Z',
      first_attempt_at: '2030-01-01T00:00:01.000Z',
      last_error: 'HTTP 503',
      lease_owner: null,
      lease_until: null,
      updated_at: at,
    });
  });

  it('clears the last error on delivery, keeps it otherwise, and an attempt number ahead of the count wins', () => {
    expect(applyOutcome(row({ last_error: 'old', attempts: 1 }), { id: 'd1', status: 'delivered', attempt: attempt(4) }, at, JSON.stringify)).toMatchObject({ last_error: null, attempts: 4 });
    expect(applyOutcome(row({ last_error: 'old' }), { id: 'd1', status: 'dead' }, at, JSON.stringify)).toMatchObject({ last_error: 'old', attempts: 0 });
  });

  it('keeps an abort reason only on an aborted row, and the request log of an outcome without an attempt in the row', () => {
    const aborted = applyOutcome(row(), { id: 'd1', status: 'aborted', abortReason: 'no email', request: { url: 'x' } }, at, JSON.stringify);
    expect(aborted).toMatchObject({ abort_reason: 'no email', request: '{"url":"x"}' });
    const sent = applyOutcome({ ...row(), ...aborted }, { id: 'd1', status: 'delivered', attempt: attempt(1), request: { url: 'y' } }, at, JSON.stringify);
    expect(sent).toMatchObject({ abort_reason: null, request: null });
    expect(applyOutcome({ ...row(), ...aborted }, { id: 'd1', status: 'failed' }, at, JSON.stringify).request).toBe('{"url":"x"}');
  });
});

describe('planOutcomes', () => {
  it('skips rows whose lease the owner lost, applies later outcomes on earlier ones, and rejects unknown ids', () => {
    const rows = new Map([
      ['d1', row()],
      ['d2', row({ id: 'd2', lease_owner: 'w2' })],
    ]);
    const plan = planOutcomes(rows, [
      { id: 'd1', status: 'failed', attempt: attempt(1, 'HTTP 400') },
      { id: 'd1', status: 'delivered' },
      { id: 'd2', status: 'delivered' },
    ], 'w1', at, JSON.stringify);
    expect([...plan.changed.keys()]).toEqual(['d1']);
    expect(plan.changed.get('d1')!.status).toBe('failed');
    expect(plan.eligibility).toEqual([{ campaignId: 'c1', externalId: 'u1' }]);
    expect(plan.exports.map((e) => e.type)).toEqual(['webhook_sent', 'webhook_failed']);
    expect(() => planOutcomes(rows, [{ id: 'nope', status: 'delivered' }], undefined, at, JSON.stringify)).toThrow('unknown delivery nope');
    expect(() => planOutcomes(rows, [{ id: 'd1', status: 'retry' }], undefined, at, JSON.stringify)).toThrow('no nextAttemptAt');
  });

  it('lists each re-eligibility pair once, in a stable order', () => {
    const keys = eligibilityKeys([
      { campaignId: 'b', externalId: 'u1' },
      { campaignId: 'a', externalId: 'u2' },
      { campaignId: 'b', externalId: 'u1' },
    ]);
    expect(keys).toEqual([
      { campaignId: 'a', externalId: 'u2' },
      { campaignId: 'b', externalId: 'u1' },
    ]);
  });
});

describe('planDeliveredUpdates', () => {
  it('plans each update on the state the previous one left, and leaves out one the profile refuses', () => {
    const state: TrackState = { stored: new Map([['u1', { n: 1, s: 'text' }]]), lastEnqueued: new Map() };
    const inc = (attribute: string) => ({ attributes: [{ externalId: 'u1', ops: { [attribute]: { op: 'inc' as const, by: 1 } } }], events: [], purchases: [] });
    const { plan, refused } = planDeliveredUpdates(
      [
        { deliveryId: 'd1', batch: inc('n') },
        { deliveryId: 'd2', batch: inc('s') },
        { deliveryId: 'd3', batch: inc('n') },
      ],
      state,
      { planner: () => [] },
      new Date(at),
    );
    expect(refused).toEqual([{ deliveryId: 'd2', error: expect.stringContaining('"s"') }]);
    expect(plan.users).toEqual([{ externalId: 'u1', isNew: false, after: { n: 3, s: 'text' }, changed: true, memberships: [] }]);
    expect(state.stored.get('u1')).toEqual({ n: 3, s: 'text' });
  });
});

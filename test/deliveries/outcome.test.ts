import { describe, expect, it } from 'vitest';
import { attemptFailureCode, DATABASE_AWAY_RETRY_MS, outcomeOf as decide, type Attempted, type OutcomeRules } from '../../src/deliveries/index.js';
import { RetryPolicySchema, type AttemptErrorKind, type AttemptResult } from '../../src/dispatch/index.js';
import { FAILURE_CODES } from '../../src/domain/index.js';
import type { Delivery, TrackBatch } from '../../src/domain/index.js';
import { leasedDelivery } from './fixtures.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const update: TrackBatch = { attributes: [{ externalId: 'u1', ops: { lead_status: { op: 'set', value: 'MQL' } } }], events: [], purchases: [] };
const rules: OutcomeRules = {
  retryPolicy: RetryPolicySchema.parse({ baseDelayMs: 1000, minDelayMs: 1000, maxDelayMs: 1000, giveUpAfterMs: 60_000, unreachableGiveUpAfterMs: 120_000 }),
  deliveredUpdate: () => update,
};
const delivery = (extra: Partial<Delivery> = {}): Delivery => leasedDelivery('d1', extra);
const result = (extra: Partial<AttemptResult>): AttemptResult => ({
  ok: false,
  headers: {},
  responseBody: '',
  responseTruncated: false,
  latencyMs: 3,
  startedAt: NOW - 10,
  ...extra,
});
const attempted = (extra: Partial<AttemptResult>): Attempted => ({ kind: 'attempted', log: { method: 'POST' }, result: result(extra) });
const error = (kind: AttemptErrorKind) => ({ error: { kind, message: `${kind} happened` } });
const outcomeOf = (a: Attempted, d = delivery()) => decide(d, a, rules, new Date(NOW));

describe('outcome of an attempted send', () => {
  it('a 2xx is delivered, with no code, its attempt row (with the message_extras of its send) and the on-delivered update', () => {
    const settled = outcomeOf({ ...attempted({ ok: true, status: 204 }), messageExtras: { plan: 'pro' } });
    expect(settled.update).toBe(update);
    expect(settled.outcome).toEqual({
      id: 'd1',
      status: 'delivered',
      attempt: { attempt: 1, at: new Date(NOW - 10).toISOString(), statusCode: 204, latencyMs: 3 },
      firstAttemptAt: new Date(NOW - 10).toISOString(),
      messageExtras: { plan: 'pro' },
      request: { method: 'POST' },
    });
    expect(outcomeOf(attempted({ status: 503 })).outcome.messageExtras).toEqual({});
  });

  it.each([
    [{ status: 503 }, 'retry', 'http_status'],
    [{ status: 429 }, 'retry', 'http_status'],
    [{ status: 400 }, 'failed', 'http_status'],
    [{ status: 301 }, 'failed', 'http_status'],
    [error('timeout'), 'retry', 'timeout'],
    [error('connection'), 'retry', 'connection'],
    [error('network'), 'retry', 'connection'],
    [error('circuit_open'), 'retry', 'circuit_open'],
    [error('ssrf_blocked'), 'failed', 'ssrf_blocked'],
    [error('invalid_request'), 'failed', 'invalid_request'],
    [{}, 'failed', 'internal'],
  ] as const)('%j → %s with code %s, beside the message', (extra, status, code) => {
    const { outcome, update: applied } = outcomeOf(attempted(extra));
    expect(outcome).toMatchObject({ status, code, error: expect.any(String) });
    expect(applied).toBeUndefined();
  });

  it('a give-up is dead with the code of the last failure', () => {
    const old = delivery({ attempts: 7, firstAttemptAt: new Date(NOW - 61_000).toISOString() });
    expect(outcomeOf(attempted({ status: 502 }), old).outcome).toMatchObject({ status: 'dead', code: 'http_status', error: expect.stringContaining('gave up') });
    const unreachable = delivery({ attempts: 9, firstAttemptAt: new Date(NOW - 121_000).toISOString() });
    expect(outcomeOf(attempted(error('connection')), unreachable).outcome).toMatchObject({ status: 'dead', code: 'connection' });
  });

  it('a held-back send (circuit open) is retried without counting an attempt', () => {
    const { outcome } = outcomeOf(attempted({ ...error('circuit_open'), retryAfterMs: 5000 }));
    expect(outcome).toMatchObject({ status: 'retry', code: 'circuit_open', nextAttemptAt: new Date(NOW + 5000).toISOString() });
    expect(outcome).not.toHaveProperty('attempt');
    // Nothing left, so nothing is recorded as sent.
    expect(outcomeOf({ ...attempted(error('circuit_open')), messageExtras: { plan: 'pro' } }).outcome).not.toHaveProperty('messageExtras');
  });

  it('a send that waited for the database is retried soon, without counting an attempt', () => {
    const old = delivery({ attempts: 2, firstAttemptAt: new Date(NOW - 5000).toISOString() });
    const { outcome } = outcomeOf({ kind: 'deferred', code: 'database_unavailable', error: 'database unavailable, nothing sent: ECONNREFUSED' }, old);
    expect(outcome).toEqual({
      id: 'd1',
      status: 'retry',
      nextAttemptAt: new Date(NOW + DATABASE_AWAY_RETRY_MS).toISOString(),
      code: 'database_unavailable',
      error: 'database unavailable, nothing sent: ECONNREFUSED',
    });
  });

  it('a stop before sending keeps its code and reason; a template abort has no code', () => {
    expect(outcomeOf({ kind: 'failed', code: 'render_failed', error: 'webhook did not render: body' }).outcome).toEqual({
      id: 'd1',
      status: 'failed',
      code: 'render_failed',
      error: 'webhook did not render: body',
    });
    expect(outcomeOf({ kind: 'aborted', reason: 'connected_content GET … failed', code: 'connected_content_failed', log: { connected_content: [] } }).outcome).toEqual({
      id: 'd1',
      status: 'aborted',
      abortReason: 'connected_content GET … failed',
      code: 'connected_content_failed',
      request: { connected_content: [] },
    });
    expect(outcomeOf({ kind: 'aborted', reason: 'not at threshold' }).outcome).toEqual({ id: 'd1', status: 'aborted', abortReason: 'not at threshold' });
  });

  it('maps every dispatcher error kind to a known code, and a 2xx to none', () => {
    const kinds: AttemptErrorKind[] = ['connection', 'timeout', 'network', 'ssrf_blocked', 'circuit_open', 'invalid_request'];
    for (const kind of kinds) expect(FAILURE_CODES).toContain(attemptFailureCode({ ok: false, ...error(kind) }));
    expect(attemptFailureCode({ ok: true, status: 200 })).toBeUndefined();
  });
});

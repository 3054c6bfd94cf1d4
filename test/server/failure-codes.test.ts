// Failure codes where operators see them: the delivery JSON and /metrics.
import { describe, expect, it } from 'vitest';
import type { DeliveryWithAttempts } from '../../src/domain/index.js';
import { createMetrics } from '../../src/server/metrics.js';
import { DeliverySchema, deliveryWithAttemptsView } from '../../src/server/schemas/deliveries.js';

const delivery: DeliveryWithAttempts = {
  id: 'd1',
  campaignId: 'c1',
  externalId: 'u1',
  idempotencyKey: 'k1',
  status: 'dead',
  attempts: 3,
  trigger: {},
  nextAttemptAt: '2030-01-01T00:00:00.000Z',
  lastError: 'gave up after 3 attempts: HTTP 503',
  failureCode: 'http_status',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:00.000Z',
  attempts_log: [],
};

describe('failure codes', () => {
  it('are part of the delivery JSON beside last_error (null when none is known)', () => {
    expect(deliveryWithAttemptsView(delivery)).toMatchObject({ last_error: 'gave up after 3 attempts: HTTP 503', failure_code: 'http_status' });
    const { failureCode: _none, ...uncoded } = delivery;
    expect(deliveryWithAttemptsView(uncoded).failure_code).toBeNull();
    expect(DeliverySchema.shape.failure_code.safeParse('not_a_code').success).toBe(false);
  });

  it('are counted in /metrics, by code, for outcomes that did not deliver', async () => {
    const metrics = createMetrics();
    const before = await metrics.registry.metrics();
    expect(before).toContain('liquidhook_delivery_failures_total{code="timeout"} 0');
    metrics.observeOutcomes([
      { id: 'a', status: 'retry', nextAttemptAt: '2030-01-01T00:00:00.000Z', error: 'HTTP 503', code: 'http_status' },
      { id: 'b', status: 'dead', error: 'HTTP 503', code: 'http_status' },
      { id: 'c', status: 'failed', error: 'render failed: x', code: 'render_failed' },
      { id: 'd', status: 'delivered' },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('liquidhook_delivery_failures_total{code="http_status"} 2');
    expect(text).toContain('liquidhook_delivery_failures_total{code="render_failed"} 1');
    expect(text).toContain('liquidhook_delivery_failures_total{code="timeout"} 0');
  });
});

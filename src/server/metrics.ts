// Prometheus metrics of the process. One registry for the whole process so that any module can
// count what it does (`metrics.scoringEvents.inc()`); `GET /metrics` exposes it.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type DeliveryOutcome, FAILURE_CODES, type Json } from '../domain/index.js';

/** What a running worker knows about the outbox, read when Prometheus scrapes. */
export interface OutboxSnapshot {
  /** Sends this process has claimed and not yet recorded. */
  inFlight: number;
  /** Seconds the oldest due delivery has been waiting (0 when none is overdue). */
  oldestDueSeconds: number;
}

export type OutboxSource = () => Promise<OutboxSnapshot>;

const SEND_STATUSES = ['delivered', 'failed', 'dead', 'aborted', 'retry'] as const;

/** A metrics registry of its own (the service uses the process-wide `metrics`). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'liquidhook_' });
  const outboxSources = new Set<OutboxSource>();
  const snapshots = async (): Promise<OutboxSnapshot[]> =>
    (await Promise.allSettled([...outboxSources].map((read) => read()))).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

  const sends = new Counter({
    name: 'liquidhook_sends_total',
    help: 'Delivery outcomes recorded, by status (retry: a failed attempt that will be retried)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  // Zero series exist from the start, so rate() works before the first send of each kind.
  for (const status of SEND_STATUSES) sends.labels(status).inc(0);
  const failures = new Counter({
    name: 'liquidhook_delivery_failures_total',
    help: 'Outcomes that did not deliver (retried, failed, dead), by failure code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  for (const code of FAILURE_CODES) failures.labels(code).inc(0);

  const metrics = {
    registry,
    sends,
    sendDuration: new Histogram({
      name: 'liquidhook_send_duration_seconds',
      help: 'Wall time of webhook HTTP attempts',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 90],
      registers: [registry],
    }),
    retries: new Counter({ name: 'liquidhook_send_retries_total', help: 'Attempts that failed and were scheduled again', registers: [registry] }),
    aborts: new Counter({ name: 'liquidhook_send_aborts_total', help: 'Sends stopped by abort_message or the audience check', registers: [registry] }),
    connectedContentCalls: new Counter({
      name: 'liquidhook_connected_content_calls_total',
      help: 'connected_content calls made while rendering sends and test sends, cached ones included',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    connectedContentCacheHits: new Counter({
      name: 'liquidhook_connected_content_cache_hits_total',
      help: 'connected_content calls answered from the cache',
      registers: [registry],
    }),
    failures,
    scoringEvents: new Counter({ name: 'liquidhook_scoring_events_total', help: 'Events scored by the scoring service', registers: [registry] }),
    httpDuration: new Histogram({
      name: 'liquidhook_http_request_duration_seconds',
      help: 'HTTP API request durations',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    outboxInFlight: new Gauge({
      name: 'liquidhook_outbox_in_flight',
      help: 'Deliveries claimed by this process and not yet recorded',
      registers: [registry],
      async collect() {
        this.set((await snapshots()).reduce((sum, s) => sum + s.inFlight, 0));
      },
    }),
    outboxOldestDue: new Gauge({
      name: 'liquidhook_outbox_oldest_due_seconds',
      help: 'How long the oldest due delivery has waited to be sent (outbox lag; 0 when none is overdue)',
      registers: [registry],
      async collect() {
        this.set(Math.max(0, ...(await snapshots()).map((s) => s.oldestDueSeconds)));
      },
    }),

    /** Registers a worker's outbox view for scrapes; returns the function that removes it. */
    addOutboxSource(source: OutboxSource): () => void {
      outboxSources.add(source);
      return () => outboxSources.delete(source);
    },

    /** Counts recorded delivery outcomes: status, failure code, attempt latency, connected_content calls. */
    observeOutcomes(outcomes: readonly DeliveryOutcome[]): void {
      for (const outcome of outcomes) {
        sends.labels(outcome.status).inc();
        if (outcome.code && outcome.status !== 'delivered') metrics.failures.labels(outcome.code).inc();
        if (outcome.status === 'retry') metrics.retries.inc();
        if (outcome.status === 'aborted') metrics.aborts.inc();
        if (outcome.attempt) metrics.sendDuration.observe(outcome.attempt.latencyMs / 1000);
        metrics.observeConnectedContent(outcome.request?.connected_content);
      }
    },

    /** Counts render CallRecords (`{ cached, error? }`), from a delivery log or a render result. */
    observeConnectedContent(calls: Json | readonly object[] | undefined): void {
      if (!Array.isArray(calls)) return;
      for (const call of calls as unknown[]) {
        if (typeof call !== 'object' || call === null) continue;
        const record = call as { cached?: unknown; error?: unknown };
        metrics.connectedContentCalls.labels(record.error ? 'error' : 'ok').inc();
        if (record.cached === true) metrics.connectedContentCacheHits.inc();
      }
    },
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The process-wide metrics. */
export const metrics: Metrics = createMetrics();

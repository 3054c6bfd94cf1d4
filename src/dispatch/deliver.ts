// In-memory delivery loop (CLI, tests) and the one-shot "test send". The service persists the
// same decisions in its outbox instead of sleeping in memory.
import { redactAttemptForLog, redactRequestForLog } from './redaction.js';
import type { AttemptLogView, RequestLogView } from './redaction.js';
import { decideNextAttempt } from './retry-policy.js';
import type { Decision, RetryPolicy } from './retry-policy.js';
import type { AttemptResult, WebhookRequest } from './types.js';
import type { WebhookDispatcher } from './dispatcher.js';

export interface AttemptRecord {
  /** Real attempts so far (circuit-open deferrals do not count). */
  attempt: number;
  /** Epoch ms the attempt started. */
  at: number;
  result: AttemptResult;
  decision: Decision;
  /** Redacted view for logs and the delivery log. */
  log: AttemptLogView;
}

export interface DeliverOptions {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  rng?: () => number;
  onAttempt?: (record: AttemptRecord) => void | Promise<void>;
  /** Stop after this many loop turns including deferrals (guards against a breaker that never closes). */
  maxTurns?: number;
}

export interface DeliveryReport {
  status: 'delivered' | 'failed' | 'dead';
  attempts: number;
  reason: string;
  last: AttemptResult;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function deliverWithRetries(
  dispatcher: WebhookDispatcher,
  request: WebhookRequest,
  policy: RetryPolicy,
  options: DeliverOptions = {},
): Promise<DeliveryReport> {
  const { sleep = realSleep, now = Date.now, rng, onAttempt, maxTurns = 10_000 } = options;
  let attempts = 0;
  let firstAttemptAt: number | undefined;
  for (let turn = 1; ; turn++) {
    const result = await dispatcher.send(request);
    const deferred = result.error?.kind === 'circuit_open';
    if (!deferred) attempts++;
    firstAttemptAt ??= result.startedAt;
    const decision = decideNextAttempt(policy, {
      attempt: Math.max(attempts, 1),
      firstAttemptAt,
      now: now(),
      outcome: result,
      ...(rng ? { rng } : {}),
    });
    await onAttempt?.({ attempt: attempts, at: result.startedAt, result, decision, log: redactAttemptForLog(request, result, attempts) });
    if (decision.action === 'done') return { status: 'delivered', attempts, reason: decision.reason, last: result };
    if (decision.action === 'failed' || decision.action === 'dead') {
      return { status: decision.action, attempts, reason: decision.reason, last: result };
    }
    if (turn >= maxTurns) return { status: 'dead', attempts, reason: `gave up after ${turn} turns: ${decision.reason}`, last: result };
    await sleep(decision.delayMs ?? 0);
  }
}

export interface TestSendResult {
  ok: boolean;
  status?: number;
  headers: Record<string, string>;
  /** Up to 1 MiB of the response; only the request's own secrets are scrubbed from it. */
  body: string;
  truncated: boolean;
  latencyMs: number;
  error?: AttemptResult['error'];
  /** What was sent, redacted for display. */
  request: RequestLogView;
}

/** One attempt, no retries, full response: the "test send" button. */
export async function testSend(dispatcher: WebhookDispatcher, request: WebhookRequest): Promise<TestSendResult> {
  const result = await dispatcher.send(request, { responseBodyBytes: 1024 * 1024, redaction: 'known-secrets' });
  return {
    ok: result.ok,
    ...(result.status !== undefined ? { status: result.status } : {}),
    headers: result.headers,
    body: result.responseBody,
    truncated: result.responseTruncated,
    latencyMs: result.latencyMs,
    ...(result.error ? { error: result.error } : {}),
    request: redactRequestForLog(request),
  };
}

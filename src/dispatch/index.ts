// Outbound webhook delivery: retry policy (pure), one-attempt dispatcher over undici, SSRF guard,
// per-host gate (circuit breaker and adaptive concurrency limit), Standard Webhooks signing, log redaction.
export { WebhookRequestSchema, HTTP_METHODS } from './types.js';
export type { WebhookRequest, ParsedWebhookRequest, AttemptResult, AttemptOutcome, AttemptError, AttemptErrorKind } from './types.js';

export {
  RetryPolicySchema,
  DEFAULT_RETRY_POLICY,
  classifyOutcome,
  backoffDelayMs,
  decideNextAttempt,
} from './retry-policy.js';
export type { RetryPolicy, RetryPolicyInput, Decision, DecisionAction, AttemptContext, Classification, OutcomeClass } from './retry-policy.js';
export { parseRetryAfter, parseRateLimitReset, retryHintMs } from './retry-hints.js';

export { createDispatcher, DispatcherConfigSchema, failedAttempt } from './dispatcher.js';
export type { WebhookDispatcher, DispatcherConfig, DispatcherOptions, SendOptions, AttemptLogger } from './dispatcher.js';
export { deliverWithRetries, testSend } from './deliver.js';
export type { AttemptRecord, DeliverOptions, DeliveryReport, TestSendResult } from './deliver.js';

export { parseAllowedHosts, isHostnameAllowed, isAddressAllowlisted, EMPTY_ALLOWLIST } from './allowlist.js';
export type { AllowList } from './allowlist.js';
export {
  SsrfBlockedError,
  blockedRange,
  assertAddressAllowed,
  createGuardedLookup,
  createGuardedConnector,
  createGuardedAgent,
} from './ssrf.js';
export type { GuardedAgentOptions, LookupFunction } from './ssrf.js';

export { CircuitBreakerConfigSchema, CLOSED, admit, record } from './circuit-breaker.js';
export type { CircuitBreakerConfig, BreakerState, BreakerVerdict, Admission } from './circuit-breaker.js';
export { initialLimit, concurrencyOf, throttled, accepted } from './adaptive-limit.js';
export type { AdaptiveLimit } from './adaptive-limit.js';
export { HostGate, breakerVerdict } from './host-gate.js';
export type { Pass } from './host-gate.js';

export { signStandardWebhook, standardWebhookHeaders, decodeSigningSecret, SigningSecretError } from './signing.js';
export {
  redactAttemptForLog,
  redactRequestForLog,
  knownSecretsOf,
  LOG_REDACT_PATHS,
  pinoRedactConfig,
  censorForLog,
  redactRequest,
  secretForms,
} from './redaction.js';
export type { AttemptLogView, RequestLogView, RedactedRequest } from './redaction.js';
export { redactLogObject, pinoRedactFormatters } from './log-redaction.js';
export { toAttemptRow } from './attempt-row.js';
export type { AttemptRow } from './attempt-row.js';

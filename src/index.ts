// Package root: the library API of liquidhook.
// The Braze-dialect Liquid engine (pure, usable without the service).
export * from './liquid/index.js';
// Webhook definitions, the template file format, rendering, preview and test send.
export * from './render/index.js';
// The engine factory for library use: connected_content behind the SSRF guard (`allowedHosts`).
export { createLiquid } from './render/index.js';
// Outbound delivery: retry policy, dispatcher, SSRF guard, signing, redaction.
export {
  RetryPolicySchema,
  DEFAULT_RETRY_POLICY,
  decideNextAttempt,
  parseRetryAfter,
  createDispatcher,
  DispatcherConfigSchema,
  deliverWithRetries,
  testSend,
  parseAllowedHosts,
  createGuardedAgent,
  SsrfBlockedError,
  signStandardWebhook,
  standardWebhookHeaders,
} from './dispatch/index.js';
export type {
  RetryPolicy,
  Decision,
  WebhookRequest,
  AttemptResult,
  WebhookDispatcher,
  DispatcherConfig,
  DeliveryReport,
  TestSendResult,
  AllowList,
} from './dispatch/index.js';

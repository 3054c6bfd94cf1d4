// Deliveries: the campaign catalog, the send path (resolved → rendered → attempted → outcome,
// in-process or on the send thread) and the outbox worker that claims, sends and commits.
export { CampaignCatalog } from './catalog.js';
export type { ActiveCampaign, CampaignLookup } from './catalog.js';
export { loadTemplateCampaigns, campaignIdForFile, campaignInputOf, TemplateCampaignError } from './template-campaigns.js';

export type { Attempted, Rendered, Resolved, ResolvedSend, SendPort, Stopped } from './send-stages.js';
export { createResolve } from './resolve.js';
export type { Resolve, ResolveDeps } from './resolve.js';
export { renderSend, attemptRendered } from './attempt.js';
export { createSendPort } from './send-port.js';
export type { SendPortOptions } from './send-port.js';
export { createSendThread } from './send-thread.js';
export type { SendThread, SendThreadConfig } from './send-thread.js';
export { outcomeOf, DATABASE_AWAY_RETRY_MS } from './outcome.js';
export type { OutcomeRules, Settled } from './outcome.js';
export { attemptFailureCode, renderFailureCode, abortCode } from './failure-codes.js';

export { createDeliveryWorker } from './worker.js';
export type { DeliveryWorker, DeliveryHandOff } from './worker.js';
export type { WorkerOptions, WorkerPorts, WorkerStats } from './types.js';
export { INVARIANTS, WorkerInvariantError } from './invariants.js';
export type { InvariantName } from './invariants.js';

// The domain model: pure types and zod schemas shared by every stage, with no I/O.
export { FAILURE_CODES, FailureCodeSchema, type FailureCode } from './failure-code.js';
export type { Json, Attributes } from './json.js';
export { AttributeValueSchema, isOperationObject } from './attribute-value.js';
export type {
  Profile,
  AttributeOp,
  AttributeChange,
  UserEvent,
  Purchase,
  TrackBatch,
  UserActivity,
  NewDelivery,
  SendPlanner,
} from './profile.js';
export {
  DELIVERY_STATUSES,
  DeliveryStatusSchema,
  type DeliveryStatus,
  type Delivery,
  type DeliveryAttempt,
  type DeliveryWithAttempts,
  type DeliveryOutcome,
  type DeliveredUpdate,
  type DeliveryFilter,
  type MessageExtras,
} from './delivery.js';
export type { ExportEvent, NewExportEvent, ExportDraft } from './export-event.js';
export {
  HTTP_METHODS,
  MAX_TEMPLATE_CHARS,
  WebhookSchema,
  WebhookBodySchema,
  RawBodySchema,
  JsonPairsBodySchema,
  JsonPairSchema,
  type HttpMethod,
  type Webhook,
  type WebhookInput,
  type WebhookBody,
  type JsonPair,
} from './webhook.js';
export type { StoredCampaign, DefinitionKind, StoredDefinition, CursorMove } from './definition.js';
export type {
  ProgramMembership,
  MembershipWrite,
  EnrichInput,
  Enrichment,
  ActivityEnricher,
  DueMembership,
  DueOutcome,
  DueHandler,
} from './membership.js';
export { formatZodIssues, formatPath, type FieldIssue } from './issues.js';
export {
  assertReplayable,
  ReplayRefusedError,
  replayChanges,
  replayVerdict,
  type ReplayableStatus,
  type ReplayChanges,
  type ReplayOptions,
  type ReplayVerdict,
} from './replay.js';

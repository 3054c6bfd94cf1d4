// Webhook definitions, the template file format, rendering and preview.
// The webhook definition lives in src/domain (a campaign holds one); it is part of this API too.
export {
  WebhookSchema,
  WebhookBodySchema,
  RawBodySchema,
  JsonPairsBodySchema,
  JsonPairSchema,
  HTTP_METHODS,
  MAX_TEMPLATE_CHARS,
} from '../domain/index.js';
export type { Webhook, WebhookInput, WebhookBody, JsonPair, HttpMethod } from '../domain/index.js';
export { WebhookValidationError, parseWebhook, issuesFromZod } from './schema.js';
export type { FieldIssue } from './schema.js';

export { parseWebhookFile, WebhookFileError, WEBHOOK_FILE_SUFFIX } from './file-format.js';
export type { WebhookFile, FileIssue } from './file-format.js';
export { loadWebhookFile, loadTemplatesDir, TemplatesDirError } from './load.js';

export { PlaceholderSchema, PlaceholderValueError, resolvePlaceholders, substitutePlaceholders } from './placeholders.js';
export type { Placeholder, ResolvedPlaceholders } from './placeholders.js';

export { buildLiquidContext } from './context.js';
export type { LiquidContext, LiquidContextOptions } from './context.js';

export { renderWebhookRequest, assembleWebhookRequest, WebhookRenderError } from './render-request.js';
export type { RenderedWebhookRequest, AssembledRequest } from './render-request.js';
export type { FieldError, WebhookField } from './render-fields.js';

export { createLiquid, LIBRARY_ALLOW_WITH } from './library-engine.js';
export { contentBlocksUsedBy, templateError, webhookTemplateFields, webhookTemplateIssues, withPosition } from './template-check.js';
export type { TemplateIssue, WebhookTemplateField } from './template-check.js';
export { webhookFileLocator, identityLocator, fieldRefOf } from './file-positions.js';
export type { FieldRef, FieldLocator, FilePosition } from './file-positions.js';
export type { LibraryLiquidOptions } from './library-engine.js';

export { previewWebhook, STUB_RESPONSE_BODY, stubFetcher, recordedFetcher } from './preview.js';
export type { PreviewOptions, WebhookPreview, RecordedResponse, RecordedResponses } from './preview.js';

export { testSendWebhook, sendRenderedTest } from './test-send.js';
export { redactMessageExtras, redactRendering, scrubSecretValues } from './redact-rendering.js';
export type { RedactedRendering, RenderingRedaction } from './redact-rendering.js';
export type { TestSendOptions, TestSendOutcome } from './test-send.js';

export { createRenderPool, RenderPoolBusyError, RenderStoppedError, RenderThread, serveTasks } from './pool/index.js';
export type {
  RenderPool,
  RenderPoolOptions,
  RenderPoolStats,
  PreviewTask,
  SendRenderTask,
  StopReason,
  ThreadSpec,
  TaskContext,
  TaskHandler,
} from './pool/index.js';

// Public API of the Braze-dialect Liquid engine (usable without the service).
export { createLiquid, DEFAULT_TEMPLATE_CACHE_SIZE } from './engine.js';
export type { LiquidhookEngine, ParsedTemplate } from './engine.js';
export { TemplateError, LimitError, LIQUID_ERROR_CODES } from './errors.js';
export type { TemplateErrorKind, LimitName, LiquidErrorCode } from './errors.js';
export { DEFAULT_LIMITS, resolveLimits } from './limits.js';
export type { ResolvedLimits } from './limits.js';
export { AbortMessage, RENDER_STATE, newRenderState, renderStateOf } from './render-state.js';
export type { MessageExtrasState, RenderState } from './render-state.js';
export { rewriteBrazeSyntax, contentBlockReferences } from './dialect/rewrite.js';
export type { AttributeReference, ContentBlockReference, RewrittenTemplate } from './dialect/rewrite.js';
export { REDACTED, isSecretHeader, isSecretKey, redactHeaders, redactText, redactUrl } from './redact.js';
export { createUndiciFetcher } from './connected-content/index.js';
export { BRAZE_DEFAULT_ATTRIBUTES, BRAZE_NAMESPACES, isBrazeDefaultAttribute } from './attributes.js';
export { CONTENT_BLOCK_NAME, MAX_CONTENT_BLOCK_NESTING } from './tags/content-block.js';
export { MAX_MESSAGE_EXTRAS_BYTES } from './tags/message-extras.js';
export type {
  CallRecord,
  ContentBlockProvider,
  ConnectedContentFetcher,
  ConnectedContentOptions,
  ConnectedContentRequest,
  ConnectedContentResponse,
  Credential,
  LiquidhookOptions,
  RenderAbort,
  RenderLimits,
  RenderOptions,
  RenderResult,
} from './types.js';

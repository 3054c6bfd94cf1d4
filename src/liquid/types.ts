// Public types of the Braze-dialect Liquid engine. Kept free of runtime code so that every
// part of the engine (tags, filters, the engine itself) can share them without cycles.
import type { Dispatcher } from 'undici';

/** One connected_content call as recorded in a render result (secrets already redacted). */
export interface CallRecord {
  url: string;
  method: string;
  /** HTTP status, absent when the request failed before a response. */
  status?: number;
  /** Wall time of the call in milliseconds (0 when served from cache). */
  ms: number;
  cached: boolean;
  /** Variable named by `:save`, if any. */
  saveAs?: string;
  /** Number of HTTP attempts made (`:retry` may make several). */
  attempts: number;
  error?: string;
  /** The answer came from a stub or a recording (a preview), not from the network. */
  stubbed?: true;
}

export interface RenderAbort {
  reason: string;
  failure?: 'connected_content';
}

export interface RenderResult {
  output: string;
  /** Set when nothing may be sent; `failure` tells a failed connected_content call from the template's own abort_message. */
  aborted?: RenderAbort;
  connectedContent: CallRecord[];
  warnings: string[];
  /**
   * Key/value pairs of the `message_extras` tags the render passed, in the order met (empty when
   * none, and when the render aborted: an aborted message has no send).
   */
  messageExtras: Record<string, string>;
  /**
   * Secret values met while rendering (tokens saved by connected_content). Callers that log
   * or display the output redact these; the output itself keeps them.
   */
  secrets?: string[];
}

/** What connected_content asks of the network; the default goes through undici. */
export interface ConnectedContentRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
}

export interface ConnectedContentResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type ConnectedContentFetcher = (req: ConnectedContentRequest) => Promise<ConnectedContentResponse>;

/** Named credentials for `:basic_auth` / `:auth_credentials`: never written in templates. */
export interface Credential {
  username?: string;
  password?: string;
  /** For `:auth_credentials` token-style credentials. */
  token?: string;
}

export interface ConnectedContentOptions {
  /** undici dispatcher used by the default fetcher (the service passes its SSRF-guarded agent). */
  dispatcher?: Dispatcher;
  /** Replace the network entirely (preview stubs, recorded responses, tests). */
  fetcher?: ConnectedContentFetcher;
  /** The fetcher answers without the network (stubs, recordings): call records carry `stubbed`. */
  stubbed?: boolean;
  credentials?: Record<string, Credential>;
  /** Per-request timeout; Braze uses 2 s. */
  timeoutMs?: number;
  /** Response size cap; Braze uses 1 MB. */
  maxResponseBytes?: number;
  /** Default cache lifetime of GET responses in seconds; Braze uses 300. */
  defaultGetCacheSeconds?: number;
  userAgent?: string;
  /** Max entries in the response cache shared by all renders of this engine. */
  cacheEntries?: number;
  /** Base delay for `:retry` backoff in ms (tests shorten it). */
  retryBaseDelayMs?: number;
}

export interface RenderLimits {
  /** Max template source size in bytes. */
  templateBytes?: number;
  /** Max wall time of one render in ms (liquidjs renderLimit). */
  renderTimeMs?: number;
  /** Max rendered output size in bytes. */
  outputBytes?: number;
  /** Max memory units liquidjs may allocate (liquidjs memoryLimit, counts string/array sizes). */
  memoryUnits?: number;
  /** Max total loop iterations in one render. */
  loopIterations?: number;
  /**
   * Max nesting of blocks (`if`, `for`, `capture`, `liquid`, …) inside each other, and of
   * brackets or nested `{{ }}` inside one expression. Checked when the template is parsed.
   */
  nestingDepth?: number;
}

/**
 * Content Blocks by name, for `{{content_blocks.${name}}}`: the block's Liquid, or undefined when
 * there is no such block. A function may answer asynchronously (a database, an API).
 */
export type ContentBlockProvider = (name: string) => string | undefined | Promise<string | undefined>;

/** Options of one render. */
export interface RenderOptions {
  /** Blocks for this render only, over the engine's (a render on a thread gets the blocks it uses). */
  contentBlocks?: ContentBlockProvider | Readonly<Record<string, string>>;
}

export interface LiquidhookOptions {
  connectedContent?: ConnectedContentOptions;
  /** Where `{{content_blocks.${name}}}` finds its blocks: a provider, or a name → Liquid record. */
  contentBlocks?: ContentBlockProvider | Readonly<Record<string, string>>;
  limits?: RenderLimits;
  /** Parsed-template LRU size. */
  templateCacheSize?: number;
  /** Clock for `'now'` in date filters (tests pin it). */
  now?: () => Date;
  /**
   * Write errors into the output as Ruby Liquid's Template#render does ("Liquid error (line 3):
   * divided by 0") and go on rendering. By default an error fails the render. Aborts and limits
   * end the render either way.
   */
  inlineErrors?: boolean;
}

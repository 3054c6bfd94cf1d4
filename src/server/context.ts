// What route plugins receive: the running service's parts. A route group is one function
// `(app, ctx) => void`; app.ts lists them.
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/index.js';
import type { ContentBlockRegistry } from '../content-blocks/index.js';
import type { CampaignCatalog } from '../deliveries/catalog.js';
import type { WebhookDispatcher } from '../dispatch/index.js';
import type { DryRuns } from '../dryrun/index.js';
import type { Intake, ScoringProgramRegistry } from '../intake/index.js';
import type { RenderPool } from '../render/pool/index.js';
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';

export type ZodApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface RouteContext {
  config: ServiceConfig;
  store: Store;
  catalog: CampaignCatalog;
  /** The Content Blocks renders include (the routes make one over the store when absent). */
  contentBlocks?: ContentBlockRegistry;
  dispatcher: WebhookDispatcher;
  /** Threads for previews and test-send renders, off this event loop. */
  renderPool: RenderPool;
  /** Campaign dry runs, each on a thread of its own. */
  dryRuns: DryRuns;
  /** Placeholder values and signing secrets (`signing_secret_ref` names). */
  env: Record<string, string | undefined>;
  logger: Logger;
  metrics: Metrics;
  /** Where every profile change (and replay) enters: planned, stored, handed to the worker. */
  intake: Intake;
  /** The scoring programs in force (the intake scores every change with them). */
  programs: ScoringProgramRegistry;
}

/** One group of routes. It may be async (e.g. to register a plugin). */
export type RoutePlugin = (app: ZodApp, ctx: RouteContext) => void | Promise<void>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without the API key (probes, API documentation). */
    public?: boolean;
  }
}

// The HTTP API: fastify with zod validation and response schemas, OpenAPI generated from them,
// request ids, metrics, rate limit, bearer auth and one error shape.
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:http';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceConfig } from '../config/index.js';
import type { ApiKeyCheck } from './api-key.js';
import { registerAuth } from './auth.js';
import type { RouteContext, RoutePlugin, ZodApp } from './context.js';
import { registerEditor } from '../editor/index.js';
import { errorBody, errorHandler } from './errors.js';
import { registerJsonBody } from './json-body.js';
import { swaggerOptions } from './openapi.js';
import { registerRateLimit } from './rate-limit.js';
import { registerRequestIdHeader, requestIdFor } from './request-id.js';
import { registerCampaignRoutes } from './routes/campaigns.js';
import { registerContentBlockRoutes } from './routes/content-blocks.js';
import { registerDeliveryRoutes } from './routes/deliveries.js';
import { registerDocsRoutes } from './routes/docs.js';
import { registerDryRunRoutes } from './routes/dry-runs.js';
import { registerExportRoutes } from './routes/export.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerEditorPreviewRoute } from './routes/preview.js';
import { registerScoringRoutes } from './routes/scoring.js';
import { registerSyncRoutes } from './routes/sync.js';
import { registerUserRoutes } from './routes/users.js';
import { zodValidatorCompiler } from './validation.js';

export type { RouteContext, RoutePlugin, ZodApp } from './context.js';

/**
 * The API's route groups, registered in this order after authentication. A module with routes
 * of its own adds one line here: `registerXRoutes,` with `(app, ctx) => void`.
 */
export const API_ROUTES: RoutePlugin[] = [
  registerUserRoutes,
  registerCampaignRoutes,
  registerDryRunRoutes,
  registerDeliveryRoutes,
  registerScoringRoutes,
  registerContentBlockRoutes,
  registerSyncRoutes,
  registerExportRoutes,
];

/** Routes of the service itself (probes, metrics, API description), always present. */
const OPERATION_ROUTES: RoutePlugin[] = [registerHealthRoutes, registerMetricsRoute, registerDocsRoutes];

export interface AppDeps {
  context: RouteContext;
  apiKey: ApiKeyCheck;
  /** Route groups (default: API_ROUTES). */
  routes?: RoutePlugin[];
}

const packageVersion = (): string => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
};

/**
 * Slow clients cannot hold connections open: a request must arrive whole within the request
 * timeout (Node answers 408 and closes), idle keep-alive connections close after their timeout.
 */
function serverTimeouts(http: ServiceConfig['http']): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout'> & { http: ServerOptions } {
  const requestTimeout = http.requestTimeoutMs;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = Math.min(http.headersTimeoutMs, requestTimeout);
  return {
    requestTimeout,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    // Node checks these timeouts on an interval (30 s by default); check often enough to honour them.
    http: { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 4))) },
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { context } = deps;
  const app: FastifyInstance = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    // Fastify's own pair of lines per request is replaced by one concise line (below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: context.config.bodyLimitBytes,
    ...serverTimeouts(context.config.http),
    trustProxy: context.config.trustProxy,
    // The header is read by requestIdFor, which refuses values unfit for logs.
    genReqId: requestIdFor,
    requestIdHeader: false,
    // Answer 503 instead of hanging once shutdown has begun.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Malformed URLs and similar router-level failures go through the one error handler too.
    frameworkErrors: (error, request, reply) => {
      // The reply is untyped at this level.
      errorHandler(error, request as unknown as FastifyRequest, reply as unknown as FastifyReply);
    },
  });
  registerJsonBody(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('LH_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
  registerRequestIdHeader(app);
  app.addHook('onResponse', async (request, reply) => {
    // The query string stays out of the log: it may carry credentials.
    request.log.info(
      { method: request.method, url: request.url.split('?')[0], statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'request completed',
    );
    context.metrics.httpDuration
      .labels(request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });
  await app.register(swagger, swaggerOptions(packageVersion()));
  await registerRateLimit(app, context.config.rateLimitPerMinute, deps.apiKey);
  registerAuth(app, deps.apiKey);

  const zodApp: ZodApp = app.withTypeProvider<ZodTypeProvider>();
  for (const register of OPERATION_ROUTES) await register(zodApp, context);
  for (const register of deps.routes ?? API_ROUTES) await register(zodApp, context);
  // Plugins serving their own pages register below this line: the web editor and its live preview.
  registerEditor(app);
  registerEditorPreviewRoute(zodApp, { ...context, placeholders: (id) => context.catalog.placeholderValuesFor(id) });
  return app;
}

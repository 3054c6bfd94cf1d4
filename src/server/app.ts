// The HTTP API: fastify with zod validation, bearer auth and one error shape.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';
import type { ApiKeyCheck } from './api-key.js';
import { registerAuth } from './auth.js';
import { registerEditor } from '../editor/plugin.js';
import { errorHandler } from './errors.js';
import { registerHealthRoutes } from './routes/health.js';

export interface AppDeps {
  store: Store;
  apiKey: ApiKeyCheck;
  logger: Logger;
  /** Routes beyond the built-in ones (each file in routes/ adds a group). */
  routes?: ((app: ZodApp) => void)[];
  /** Largest accepted request body. */
  bodyLimitBytes?: number;
}

export type ZodApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export function buildApp(deps: AppDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? 4 * 1024 * 1024,
    // Answer 503 instead of hanging once shutdown has begun.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Malformed URLs and similar router-level failures get the same error shape as the rest.
    frameworkErrors: (error, _request, reply) => {
      // The reply is untyped at this level; the body is the ErrorBody shape.
      (reply as unknown as FastifyReply).code(error.statusCode ?? 400).send({ message: error.message });
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  registerEditor(app, { store: deps.store });
  registerAuth(app, deps.apiKey);
  const zodApp: ZodApp = app.withTypeProvider<ZodTypeProvider>();
  registerHealthRoutes(zodApp, deps.store);
  for (const register of deps.routes ?? []) register(zodApp);
  return app;
}

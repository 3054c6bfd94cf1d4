// Prometheus exposition. Needs the API key unless LIQUIDHOOK_METRICS_PUBLIC=true.
import { z } from 'zod';
import type { RoutePlugin } from '../context.js';
import { ERROR_RESPONSES } from '../schemas/common.js';

export const registerMetricsRoute: RoutePlugin = (app, { metrics, config }) => {
  app.get(
    '/metrics',
    {
      config: { public: config.metricsPublic },
      schema: {
        summary: 'Prometheus metrics',
        tags: ['operations'],
        ...(config.metricsPublic ? { security: [] } : {}),
        response: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
          401: ERROR_RESPONSES[401],
          429: ERROR_RESPONSES[429],
        },
      },
    },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
};

// The HTTP API and the running service (API, delivery worker, exporter, decay), plus the API's
// JSON views the CLI prints so that its --json output matches the API.
import type { startService as StartService } from './service.js';

export type { RunningService, ServiceOptions } from './service.js';

/**
 * Starts the service. Its modules (fastify and the routes, the worker, the exporter) load on
 * this call, so a command that only prints the API's views (replay, dry-run) does not load them.
 */
export const startService: typeof StartService = async (config, options) => (await import('./service.js')).startService(config, options);

export { deliveryView, type DeliveryView } from './schemas/deliveries.js';
export { dryRunView, type DryRunView } from './schemas/dry-runs.js';

// A render-pool thread: previews and test-send renders, each on this thread's engines. Live
// connected_content goes through this thread's SSRF-guarded agent and its engine's cache
// (single-flight, so concurrent identical calls share one request), as on the API's thread before.
import { workerData } from 'node:worker_threads';
import { createGuardedAgent, parseAllowedHosts } from '../../dispatch/index.js';
import { createLiquid, type RenderLimits } from '../../liquid/index.js';
import { previewWebhook } from '../preview.js';
import { assembleWebhookRequest } from '../render-request.js';
import type { PoolTask } from './pool.js';
import { serveTasks } from './serve.js';

const { allowedHosts, limits } = workerData as { allowedHosts: string; limits: RenderLimits };
const agent = createGuardedAgent({ allowedHosts: parseAllowedHosts(allowedHosts) });
const live = createLiquid({ connectedContent: { dispatcher: agent }, limits });

/** What one render may hand back: a template looping over connected_content makes thousands of records. */
export const MAX_LISTED = 100;

function bounded<T extends { connectedContent?: unknown[]; calls?: unknown[]; warnings: string[] }>(result: T): T {
  const key = result.calls ? 'calls' : 'connectedContent';
  const calls = result[key] ?? [];
  const warnings = result.warnings.slice(0, MAX_LISTED);
  if (calls.length > MAX_LISTED) warnings.push(`${calls.length - MAX_LISTED} more connected_content calls not listed (${calls.length} in all)`);
  if (result.warnings.length > MAX_LISTED) warnings.push(`${result.warnings.length - MAX_LISTED} more warnings not listed`);
  return { ...result, [key]: calls.slice(0, MAX_LISTED), warnings };
}

serveTasks(async (task) => {
  const t = task as PoolTask;
  if (t.kind === 'preview') {
    return bounded(
      await previewWebhook(t.webhook, {
        attributes: t.attributes,
        connectedContent: t.connectedContent,
        engine: live,
        ...(t.secrets ? { secrets: t.secrets } : {}),
        ...(t.contentBlocks ? { contentBlocks: t.contentBlocks } : {}),
      }),
    );
  }
  return bounded(await assembleWebhookRequest(live, t.webhook, t.context, t.contentBlocks ? { contentBlocks: t.contentBlocks } : undefined));
});

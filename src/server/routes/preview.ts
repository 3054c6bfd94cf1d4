// POST /preview: render a webhook that is not saved yet (the editor's live preview). Nothing is
// sent; connected_content is stubbed unless "live" is asked for.
import { z } from 'zod';
import { WebhookSchema, substitutePlaceholders, type RenderPool } from '../../render/index.js';
import type { Store } from '../../store/index.js';
import type { ZodApp } from '../context.js';
import { recipientContext } from '../recipient-context.js';
import { POOL_RESPONSES } from '../render-pool-errors.js';
import { PreviewResponseSchema, previewView } from '../schemas/campaigns.js';
import { ERROR_RESPONSES } from '../schemas/common.js';

const JsonObject = z.record(z.string(), z.json());

export const EditorPreviewRequestSchema = z
  .object({
    webhook: WebhookSchema,
    external_id: z.string().min(1).max(512).optional().describe('Render for this stored profile'),
    attributes: JsonObject.optional().describe('Profile attributes as /users/track writes them (over the stored profile, if any)'),
    context: JsonObject.optional().describe('Liquid variables as the template reads them, e.g. { "custom_attribute": { "lead score": 150 } }'),
    trigger: JsonObject.optional().describe('Trigger data, e.g. { "properties": {...} }'),
    connected_content: z.enum(['stub', 'live']).default('stub').describe('stub: canned token answer; live: real, SSRF-guarded calls'),
    campaign_id: z
      .string()
      .optional()
      .describe("A saved campaign this webhook is an edited copy of: its configuration placeholders are filled in from the service's environment (secret values stay redacted)"),
  })
  .strict();

export type EditorPreviewRequest = z.output<typeof EditorPreviewRequestSchema>;

/** The campaign preview's answer plus the variables the render saw, so a picked profile can be edited. */
export const EditorPreviewResponseSchema = PreviewResponseSchema.extend({
  context: z.record(z.string(), z.unknown()).describe('The Liquid variables the template was rendered with'),
});

/** A saved campaign's configuration placeholders, resolved (see CampaignCatalog). */
export type PlaceholderLookup = (campaignId: string) => { values: Record<string, string>; secrets: string[] } | undefined;

export interface EditorPreviewDeps {
  store: Store;
  /** Placeholder values of saved campaigns; without it, placeholders stay as written. */
  placeholders?: PlaceholderLookup;
  /** Renders off the event loop (live connected_content through its threads' SSRF guard). */
  renderPool: RenderPool;
}

/** The Liquid variables for a preview: stored profile, then attribute overrides, then variable overrides. */
export async function previewContext(store: Store, body: EditorPreviewRequest): Promise<Record<string, unknown>> {
  return { ...(await recipientContext(store, body)), ...(body.context ?? {}) };
}

export function registerEditorPreviewRoute(app: ZodApp, deps: EditorPreviewDeps): void {
  const schema = {
    summary: 'Render a webhook that is not saved (the editor\'s live preview); nothing is sent',
    tags: ['editor'],
    body: EditorPreviewRequestSchema,
    response: { 200: EditorPreviewResponseSchema, ...ERROR_RESPONSES, ...POOL_RESPONSES },
  };
  app.post('/preview', { schema }, async (request) => {
    const context = await previewContext(deps.store, request.body);
    const { campaign_id: campaignId } = request.body;
    const filled = campaignId !== undefined ? deps.placeholders?.(campaignId) : undefined;
    const preview = await deps.renderPool.preview({
      webhook: filled ? substitutePlaceholders(request.body.webhook, filled.values) : request.body.webhook,
      attributes: context,
      connectedContent: request.body.connected_content,
      ...(filled ? { secrets: filled.secrets } : {}),
    });
    return { ...previewView(preview), context };
  });
}

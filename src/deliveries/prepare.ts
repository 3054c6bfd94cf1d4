// Send-time rendering: the latest profile goes through the campaign's webhook, so an
// abort_message (or a changed audience) sees the data as it is when the request leaves.
import { redactRequestForLog } from '../dispatch/redaction.js';
import type { WebhookRequest } from '../dispatch/types.js';
import type { LiquidhookEngine } from '../liquid/index.js';
import { redactText } from '../liquid/redact.js';
import { buildLiquidContext } from '../render/context.js';
import { WebhookRenderError, renderWebhookRequest } from '../render/render-request.js';
import { matchesAudience } from '../triggers/audience.js';
import type { Attributes, Delivery, Json, Profile } from '../store/types.js';
import type { CampaignLookup } from './catalog.js';
import type { PreparedSend } from './types.js';

export interface PrepareDeps {
  engine: LiquidhookEngine;
  campaigns: CampaignLookup;
  /** Values of `signing_secret_ref` names (environment by default). */
  signingSecrets?: Record<string, string | undefined>;
  now?: () => Date;
}

export function createPrepare(deps: PrepareDeps) {
  const now = deps.now ?? (() => new Date());
  const signingSecrets = deps.signingSecrets ?? process.env;

  return async function prepare(delivery: Delivery, profile: Profile | undefined): Promise<PreparedSend> {
    const { campaigns } = deps;
    // A campaign made by another process moments ago may not be in this one's catalog yet.
    const active = campaigns.lookup ? await campaigns.lookup(delivery.campaignId) : campaigns.get(delivery.campaignId);
    if (!active) return { kind: 'failed', error: `campaign ${delivery.campaignId} no longer exists` };
    if (!active.campaign.enabled) return { kind: 'aborted', reason: 'campaign is disabled' };
    const attributes = profile?.attributes ?? {};
    // Re-checked before the first attempt only: a retry or an operator's replay must go out
    // even though a successful send may have changed the profile (on_delivered_update).
    if (!delivery.firstAttemptAt && !matchesAudience(active.campaign.audience, attributes, now())) {
      return { kind: 'aborted', reason: 'user no longer matches the audience' };
    }

    const context = buildLiquidContext(attributes, { externalId: delivery.externalId, trigger: delivery.trigger });
    let rendered;
    try {
      rendered = await renderWebhookRequest(deps.engine, active.webhook, context);
    } catch (error) {
      if (error instanceof WebhookRenderError) return { kind: 'failed', error: redactText(error.message, active.secrets) };
      throw error;
    }
    const secrets = [...active.secrets, ...rendered.secrets];
    const calls = rendered.calls as unknown as Json[];
    if (rendered.aborted) {
      return { kind: 'aborted', reason: rendered.aborted.reason, log: { connected_content: calls } };
    }

    const ref = active.webhook.signing_secret_ref;
    const signingSecret = ref ? signingSecrets[ref] : undefined;
    if (ref && !signingSecret) return { kind: 'failed', error: `signing secret ${ref} is not configured` };
    const request: WebhookRequest = {
      url: rendered.url,
      method: rendered.method,
      headers: rendered.headers,
      body: rendered.body,
      idempotencyKey: delivery.idempotencyKey,
      ...(signingSecret ? { signingSecret } : {}),
    };
    return { kind: 'send', request, log: logView(request, secrets, calls, rendered.warnings) };
  };
}

function logView(request: WebhookRequest, secrets: readonly string[], calls: Json[], warnings: string[]): Attributes {
  const view = redactRequestForLog(request);
  const known = secrets.filter((s) => s.length >= 4);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(view.headers)) headers[name] = redactText(value, known);
  return {
    method: view.method,
    url: redactText(view.url, known),
    headers,
    body: redactText(view.body, known),
    idempotency_key: view.idempotencyKey,
    signed: view.signed,
    connected_content: calls,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

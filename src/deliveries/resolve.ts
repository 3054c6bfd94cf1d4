// First stage of a send: the campaign as it is now and the recipient as it is now. The latest
// profile goes through the campaign's webhook, so an abort_message (or a changed audience) sees
// the data as it is when the request leaves.
import { buildLiquidContext } from '../render/index.js';
import type { Delivery, Profile } from '../domain/index.js';
import { matchesAudience } from '../triggers/index.js';
import type { CampaignLookup } from './catalog.js';
import type { Resolved, ResolvedSend } from './send-stages.js';

export interface ResolveDeps {
  campaigns: CampaignLookup;
  /** Values of `signing_secret_ref` names (environment by default). */
  signingSecrets?: Record<string, string | undefined>;
  now?: () => Date;
}

export type Resolve = (delivery: Delivery, profile: Profile | undefined) => Promise<Resolved>;

export function createResolve(deps: ResolveDeps): Resolve {
  const now = deps.now ?? (() => new Date());
  const signingSecrets = deps.signingSecrets ?? process.env;
  const { campaigns } = deps;

  return async function resolve(delivery, profile) {
    // A campaign made by another process moments ago may not be in this one's catalog yet.
    const active = campaigns.lookup ? await campaigns.lookup(delivery.campaignId) : campaigns.get(delivery.campaignId);
    if (!active) return { kind: 'failed', code: 'campaign_missing', error: `campaign ${delivery.campaignId} no longer exists` };
    if (!active.campaign.enabled) return { kind: 'aborted', code: 'campaign_missing', reason: 'campaign is disabled' };
    // Placeholders unset or its template file gone: its webhook is not fit to render.
    if (!active.ready) return { kind: 'aborted', code: 'campaign_missing', reason: `campaign is inactive: ${active.inactiveReason ?? 'not ready'}` };
    const attributes = profile?.attributes ?? {};
    // Re-checked until the first attempt only: a retry or an operator's replay must go out
    // even though a successful send may have changed the profile (on_delivered_update). Not
    // firstAttemptAt: a replay clears it to open a new retry window.
    if (delivery.attempts === 0 && !matchesAudience(active.campaign.audience, attributes, now())) {
      return { kind: 'aborted', reason: 'user no longer matches the audience' };
    }
    const ref = active.webhook.signing_secret_ref;
    const signingSecret = ref ? signingSecrets[ref] : undefined;
    const send: ResolvedSend = {
      webhook: active.webhook,
      context: buildLiquidContext(attributes, { externalId: delivery.externalId, trigger: delivery.trigger }),
      secrets: active.secrets,
      idempotencyKey: delivery.idempotencyKey,
      ...(ref ? { signingSecretRef: ref } : {}),
      ...(signingSecret ? { signingSecret } : {}),
    };
    return { kind: 'resolved', send };
  };
}

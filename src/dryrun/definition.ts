// What a saved campaign's dry run renders, and what it says up front.
import type { ActiveCampaign } from '../deliveries/catalog.js';
import type { DryRunDefinition } from './run.js';

export function savedCampaignDefinition(active: ActiveCampaign, env: Record<string, string | undefined>): DryRunDefinition {
  const warnings: string[] = [];
  if (!active.ready) warnings.push(`the campaign is not ready, so it sends nothing: ${active.inactiveReason ?? `set ${active.missing.join(', ')}`}`);
  const ref = active.webhook.signing_secret_ref;
  if (ref && !env[ref]) warnings.push(`signing secret ${ref} is not configured: every send would fail`);
  return { campaignId: active.id, webhook: active.webhook, audience: active.campaign.audience, secrets: active.secrets, warnings };
}

// How the worker finds the campaign a delivery belongs to (the intake's catalog answers).
import type { StoredCampaign, Webhook } from '../domain/index.js';
import type { Campaign } from '../triggers/index.js';

export interface ActiveCampaign {
  id: string;
  /** The definition as stored (file campaigns keep their placeholders). */
  campaign: Campaign;
  /** Ready to render: configuration placeholders replaced. */
  webhook: Webhook;
  /** Secret placeholder values, redacted wherever they could show. */
  secrets: string[];
  /** False when placeholders lack values: the campaign plans and sends nothing. */
  ready: boolean;
  /** Placeholder variables still unset. */
  missing: string[];
  /** Why the campaign plans and sends nothing, when `ready` is false. */
  inactiveReason?: string;
  stored: Pick<StoredCampaign, 'createdAt' | 'updatedAt'>;
}

export interface CampaignLookup {
  get(id: string): ActiveCampaign | undefined;
  /** Like get, but asks the store when the campaign is not known yet (made by another process). */
  lookup?(id: string): Promise<ActiveCampaign | undefined>;
}

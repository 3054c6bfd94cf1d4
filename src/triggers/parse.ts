// Validating campaign definitions from the API, files or the store.
import { formatZodIssues, type FieldIssue } from '../domain/index.js';
import type { StoredCampaign } from '../domain/index.js';
import { CodedError } from '../errors/index.js';
import { type Campaign, CampaignSchema } from './schema.js';
import type { CampaignEntry } from './plan.js';

export class CampaignValidationError extends CodedError {
  constructor(readonly issues: FieldIssue[]) {
    super('LH_CAMPAIGN_INVALID', `invalid campaign: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, {
      fields: issues,
      summary: 'invalid campaign',
    });
    this.name = 'CampaignValidationError';
  }
}

export function parseCampaign(input: unknown): Campaign {
  const result = CampaignSchema.safeParse(input);
  if (!result.success) throw new CampaignValidationError(formatZodIssues(result.error));
  return result.data;
}

/**
 * Stored campaigns as planner entries. A stored definition that no longer validates is skipped and
 * reported through `onInvalid` rather than blocking every other campaign.
 */
export function campaignEntries(
  stored: readonly StoredCampaign[],
  onInvalid: (id: string, error: CampaignValidationError) => void = () => {},
): CampaignEntry[] {
  const entries: CampaignEntry[] = [];
  for (const { id, definition } of stored) {
    try {
      entries.push({ id, campaign: parseCampaign(definition) });
    } catch (error) {
      if (error instanceof CampaignValidationError) onInvalid(id, error);
      else throw error;
    }
  }
  return entries;
}

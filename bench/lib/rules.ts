// Change rules the store benches run under: one campaign that sends on every change of one attribute.
import type { ChangeRules } from '../../src/store/index.js';
import { parseCampaign } from '../../src/triggers/index.js';

/** One delivery per changed user: campaign `id` sends on every change of `attribute`. */
export function sendOnEveryChange(id: string, attribute: string, webhook: { url: string; method: 'POST' | 'PATCH' }): ChangeRules {
  return {
    campaigns: [{ id, campaign: parseCampaign({ name: id, trigger: { type: 'custom_attribute_changed', attribute }, reeligible_after_seconds: 0, webhook }) }],
    programs: [],
  };
}

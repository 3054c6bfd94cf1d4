export {
  CampaignSchema,
  FilterSchema,
  TriggerSchema,
  AttributeChangedTriggerSchema,
  CustomEventTriggerSchema,
  EmailAddressAddedTriggerSchema,
  FILTER_OPERATORS,
  type Campaign,
  type CampaignInput,
  type Filter,
  type FilterOperator,
  type Trigger,
} from './schema.js';
export { matchesAudience, matchesFilter, resolveMoment } from './audience.js';
export {
  planSends,
  makePlanner,
  triggerMatches,
  isEligible,
  deliveredUpdateBatch,
  type CampaignEntry,
  type DeliveryTrigger,
} from './plan.js';
export { parseCampaign, campaignEntries, CampaignValidationError } from './parse.js';

// Deciding which sends a user's activity triggers: the synchronous planner the store calls inside
// its transaction. Pure: campaigns, activity and clock in; deliveries out.
import { attributesToOps, jsonEquals } from '../profiles/index.js';
import type { Attributes, Json, NewDelivery, SendPlanner, TrackBatch, UserActivity, UserEvent } from '../domain/index.js';
import { matchesAudience } from './audience.js';
import type { Campaign, Trigger } from './schema.js';

export interface CampaignEntry {
  id: string;
  campaign: Campaign;
}

/** What a delivery stores about its cause; render exposes it (e.g. `event_properties`). */
export type DeliveryTrigger =
  | { type: 'custom_attribute_changed'; attribute: string; before: Json; after: Json }
  | { type: 'email_address_added'; attribute: 'email'; before: Json; after: Json }
  | { type: 'custom_event'; event: string; time: string; properties: Attributes };

const isBlank = (value: Json | undefined): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** Missing counts as 0, so a first score (absent → 10) is an increase. */
const asNumber = (value: Json | undefined): number | undefined =>
  value === undefined || value === null ? 0 : typeof value === 'number' ? value : undefined;

/** The trigger payloads this activity produces for one campaign trigger, in order. */
export function triggerMatches(trigger: Trigger, activity: UserActivity, now: Date): DeliveryTrigger[] {
  switch (trigger.type) {
    case 'custom_attribute_changed': {
      const change = activity.changes.find((c) => c.attribute === trigger.attribute);
      // Removing the attribute is not a "new value".
      if (!change || change.after === undefined || change.after === null) return [];
      const before = change.before ?? null;
      const after = change.after;
      let fires: boolean;
      if (trigger.change === 'any') fires = true;
      else if (trigger.change === 'to') fires = jsonEquals(after, trigger.value ?? null);
      else {
        const from = asNumber(change.before);
        fires =
          typeof after === 'number' &&
          from !== undefined &&
          (trigger.change === 'increased' ? after > from : after < from);
      }
      return fires ? [{ type: 'custom_attribute_changed', attribute: trigger.attribute, before, after }] : [];
    }
    case 'email_address_added': {
      const change = activity.changes.find((c) => c.attribute === 'email');
      if (!change || !isBlank(change.before) || isBlank(change.after)) return [];
      return [{ type: 'email_address_added', attribute: 'email', before: change.before ?? null, after: change.after! }];
    }
    case 'custom_event':
      return activity.events
        .filter((event: UserEvent) => event.name === trigger.event)
        .filter((event) => matchesAudience(trigger.property_filters, event.properties, now))
        .map((event) => ({ type: 'custom_event', event: event.name, time: event.time, properties: event.properties }));
    default: {
      const unknown: never = trigger;
      throw new Error(`unknown trigger ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Re-eligibility as Braze defines it: without a window a user receives a campaign once; with a
 * window of N seconds, again once N seconds have passed since the last send was enqueued (0: always).
 * The store forgets sends that never reached the user (aborted, failed, dead), as Braze bases
 * re-eligibility on receipt rather than on the trigger.
 */
export function isEligible(campaign: Campaign, lastEnqueuedAt: string | undefined, now: Date): boolean {
  if (lastEnqueuedAt === undefined) return true;
  const window = campaign.reeligible_after_seconds;
  if (window === null || window === undefined) return false;
  return Date.parse(lastEnqueuedAt) + window * 1000 <= now.getTime();
}

export function planSends(campaigns: readonly CampaignEntry[], activity: UserActivity, now: Date): NewDelivery[] {
  const deliveries: NewDelivery[] = [];
  for (const { id, campaign } of campaigns) {
    if (!campaign.enabled) continue;
    if (!isEligible(campaign, activity.lastEnqueuedAt[id], now)) continue;
    const matches = triggerMatches(campaign.trigger, activity, now);
    if (matches.length === 0) continue;
    // The audience is evaluated on the profile after the change.
    if (!matchesAudience(campaign.audience, activity.after, now)) continue;
    // Several matching events in one batch each send only when the campaign is re-eligible at once.
    const sends = campaign.reeligible_after_seconds === 0 ? matches : matches.slice(0, 1);
    for (const trigger of sends) {
      deliveries.push({ campaignId: id, externalId: activity.externalId, trigger: trigger as unknown as Attributes });
    }
  }
  return deliveries;
}

/** A SendPlanner over a fixed campaign list; `now` is read once per call. */
export function makePlanner(campaigns: readonly CampaignEntry[], now: () => Date = () => new Date()): SendPlanner {
  return (activity) => planSends(campaigns, activity, now());
}

/** The attribute updates a campaign applies to its recipient once a send is delivered. */
export function deliveredUpdateBatch(campaign: Campaign, externalId: string): TrackBatch | undefined {
  const attributes = campaign.on_delivered_update?.attributes;
  if (!attributes || Object.keys(attributes).length === 0) return undefined;
  return { attributes: attributesToOps(externalId, attributes), events: [], purchases: [] };
}

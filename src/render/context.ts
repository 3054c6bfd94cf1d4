// Maps a stored profile (attribute names as Braze's /users/track writes them) to the names
// Braze's Liquid reads: `${user_id}`, `${email_address}`, `custom_attribute.${...}`, ...
import type { Json } from '../domain/index.js';

/** /users/track standard attribute -> Liquid default attribute name. */
const STANDARD_TO_LIQUID: Readonly<Record<string, string>> = {
  first_name: 'first_name',
  last_name: 'last_name',
  email: 'email_address',
  phone: 'phone_number',
  home_city: 'city',
  country: 'country',
  language: 'language',
  gender: 'gender',
  dob: 'date_of_birth',
  time_zone: 'time_zone',
  braze_id: 'braze_id',
};

/** Standard attributes Liquid reads under `subscribed_state`. */
const SUBSCRIPTION_TO_LIQUID: Readonly<Record<string, string>> = {
  email_subscribe: 'email_global',
  push_subscribe: 'push_global',
};

/** Standard profile fields with no Liquid name: never shown as custom attributes. */
const STANDARD_WITHOUT_LIQUID = new Set([
  'external_id', 'user_alias', 'image_url', 'facebook', 'twitter', 'current_location', 'date_of_first_session',
  'date_of_last_session', 'email_open_tracking_disabled', 'email_click_tracking_disabled', 'marked_email_as_spam_at',
  'subscription_groups', 'push_tokens', 'bio', 'phone_numbers',
]);

export interface LiquidContextOptions {
  /** The profile's external_id; becomes `${user_id}`. */
  externalId: string;
  /** What triggered the send; its `properties` become `event_properties`. */
  trigger?: { properties?: Record<string, Json> | undefined } | Record<string, Json> | undefined;
}

export interface LiquidContext {
  user_id: string;
  custom_attribute: Record<string, Json>;
  event_properties: Record<string, Json>;
  subscribed_state: Record<string, Json>;
  [defaultAttribute: string]: Json | Record<string, Json> | undefined;
}

/** Build the render context for one recipient from their stored attributes. */
export function buildLiquidContext(attributes: Readonly<Record<string, Json>>, options: LiquidContextOptions): LiquidContext {
  const context: LiquidContext = {
    user_id: options.externalId,
    custom_attribute: {},
    event_properties: eventPropertiesOf(options.trigger),
    subscribed_state: {},
  };
  for (const [name, value] of Object.entries(attributes)) {
    const liquidName = STANDARD_TO_LIQUID[name];
    const subscription = SUBSCRIPTION_TO_LIQUID[name];
    if (liquidName !== undefined) context[liquidName] = value;
    else if (subscription !== undefined) context.subscribed_state[subscription] = value;
    else if (!STANDARD_WITHOUT_LIQUID.has(name)) context.custom_attribute[name] = value;
  }
  return context;
}

function eventPropertiesOf(trigger: LiquidContextOptions['trigger']): Record<string, Json> {
  const properties = (trigger as { properties?: unknown } | undefined)?.properties;
  return properties !== null && typeof properties === 'object' && !Array.isArray(properties)
    ? { ...(properties as Record<string, Json>) }
    : {};
}

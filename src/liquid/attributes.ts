// Braze's personalization names: the default user attributes read as `${name}` and the
// namespaces that hold the rest (`custom_attribute.${...}`, `event_properties.${...}`, ...).
// The engine uses them to explain `${...}` references that the render context does not have.
import type { AttributeReference } from './dialect/rewrite.js';

/** Standard (default) user attributes, read as `{{${name}}}`. */
export const BRAZE_DEFAULT_ATTRIBUTES: readonly string[] = [
  'braze_id', 'city', 'country', 'date_of_birth', 'email_address', 'first_name', 'gender', 'language',
  'last_name', 'last_used_app_date', 'most_recent_app_version', 'most_recent_locale', 'most_recent_location',
  'phone_number', 'random_bucket_number', 'time_zone', 'user_id',
  // email list attributes
  'set_user_to_unsubscribed_url', 'set_user_to_subscribed_url', 'set_user_to_opted_in_url',
];

/** Objects whose keys are read as `namespace.${key}`. */
export const BRAZE_NAMESPACES: readonly string[] = [
  'custom_attribute', 'event_properties', 'canvas_entry_properties', 'api_trigger_properties',
  'campaign', 'canvas', 'card', 'subscribed_state', 'most_recently_used_device', 'targeted_device',
  'sms', 'context', 'content_blocks',
];

const DEFAULT_SET = new Set(BRAZE_DEFAULT_ATTRIBUTES);

export function isBrazeDefaultAttribute(name: string): boolean {
  return DEFAULT_SET.has(name);
}

/** True when `path` resolves to an own property chain of `context` (null values count as present). */
export function hasAttribute(context: object, path: readonly string[]): boolean {
  let current: unknown = context;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) {
      return false;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * Warnings for `${...}` references the context does not provide (they render blank).
 * `positionOf` turns an original offset into a human position.
 */
export function missingAttributeWarnings(
  references: readonly AttributeReference[],
  context: object,
  positionOf: (offset: number) => { line: number; column: number },
): string[] {
  const warnings: string[] = [];
  // Made on the first miss: most renders have every attribute.
  let seen: Set<string> | undefined;
  for (const ref of references) {
    if (!ref.path || seen?.has(ref.text) || hasAttribute(context, ref.path)) continue;
    (seen ??= new Set()).add(ref.text);
    const { line, column } = positionOf(ref.offset);
    warnings.push(`unknown attribute ${ref.text} (line ${line}, column ${column}) renders blank${hintFor(ref.path)}`);
  }
  return warnings;
}

function hintFor(path: readonly string[]): string {
  if (path.length !== 1 || isBrazeDefaultAttribute(path[0]!)) return '';
  return `; ${path[0]} is not a Braze default attribute (custom attributes are read as custom_attribute.\${${path[0]}})`;
}

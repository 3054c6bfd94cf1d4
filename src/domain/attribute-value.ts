// The value of one attribute in a request or a campaign's on_delivered_update: a JSON value to
// set, null to unset, or an operation object (`{inc}`, `{add, remove}`).
import { z } from 'zod';

const OP_KEYS = new Set(['inc', 'add', 'remove']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose keys are all operation keys (`inc`, `add`, `remove`) is an operation. */
export function isOperationObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => OP_KEYS.has(k));
}

/** One attribute value: a JSON value to set, null to unset, or `{inc}` / `{add, remove}`. */
export const AttributeValueSchema = z.json().superRefine((value, ctx) => {
  if (!isOperationObject(value)) return;
  if ('inc' in value) {
    if (Object.keys(value).length > 1) {
      ctx.addIssue({ code: 'custom', message: 'inc cannot be combined with add or remove' });
    } else if (typeof value.inc !== 'number' || !Number.isFinite(value.inc)) {
      ctx.addIssue({ code: 'custom', path: ['inc'], message: 'inc must be a number' });
    }
    return;
  }
  for (const key of ['add', 'remove'] as const) {
    if (key in value && !Array.isArray(value[key])) {
      ctx.addIssue({ code: 'custom', path: [key], message: `${key} must be an array` });
    }
  }
});

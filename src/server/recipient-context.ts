// The Liquid variables a preview or test send renders with: a stored profile (404 if unknown),
// attribute overrides over it, and the trigger data.
import { buildLiquidContext } from '../render/index.js';
import type { Attributes } from '../domain/index.js';
import type { Store } from '../store/index.js';
import { notFound } from '../errors/index.js';

export interface Recipient {
  external_id?: string;
  attributes?: Record<string, unknown>;
  trigger?: Record<string, unknown>;
}

export async function recipientContext(store: Store, recipient: Recipient): Promise<Record<string, unknown>> {
  let attributes = (recipient.attributes ?? {}) as Attributes;
  let externalId = 'preview-user';
  if (recipient.external_id !== undefined) {
    const profile = await store.getProfile(recipient.external_id);
    if (!profile) throw notFound(`user ${JSON.stringify(recipient.external_id)}`);
    attributes = { ...profile.attributes, ...attributes };
    externalId = recipient.external_id;
  }
  return buildLiquidContext(attributes, { externalId, trigger: recipient.trigger as Attributes | undefined });
}

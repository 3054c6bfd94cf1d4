// Turning a validated /users/track body into the store's TrackBatch, plus Braze's response.
import type { Attributes, Json, TrackBatch } from '../domain/index.js';
import { attributesToOps, setOwn } from '../profiles/index.js';
import {
  IDENTIFIER_KEYS,
  parseBrazeTime,
  type TrackError,
  type TrackRequest,
  type TrackResponse,
} from './schema.js';

/** Fields Braze accepts but drops, each with the non-fatal error it reports. */
const DROPPED_FIELDS = new Map<string, string>([['bio', 'bio is not a profile field and was not processed']]);

function eventTime(text: string, now: Date): string {
  const date = parseBrazeTime(text) ?? now;
  // Braze records timestamps in the future as the current time.
  return (date.getTime() > now.getTime() ? now : date).toISOString();
}

export interface ParsedTrack {
  batch: TrackBatch;
  /** Non-fatal problems, reported in the response as Braze does. */
  errors: TrackError[];
}

export function toTrackBatch(body: TrackRequest, now: Date = new Date()): ParsedTrack {
  const errors: TrackError[] = [];
  const batch: TrackBatch = { attributes: [], events: [], purchases: [] };

  (body.attributes ?? []).forEach((entry, index) => {
    const values: Record<string, Json> = {};
    for (const [name, value] of Object.entries(entry)) {
      if ((IDENTIFIER_KEYS as readonly string[]).includes(name)) continue;
      const dropped = DROPPED_FIELDS.get(name);
      if (dropped) {
        errors.push({ type: dropped, input_array: 'attributes', index });
        continue;
      }
      setOwn(values, name, value as Json);
    }
    if (entry._update_existing_only === true) {
      errors.push({
        type: '_update_existing_only is not supported: the profile was created if missing',
        input_array: 'attributes',
        index,
      });
    }
    batch.attributes.push(...attributesToOps(entry.external_id, values));
  });

  for (const event of body.events ?? []) {
    batch.events.push({
      externalId: event.external_id,
      name: event.name,
      time: eventTime(event.time, now),
      properties: (event.properties ?? {}) as Attributes,
    });
  }
  for (const purchase of body.purchases ?? []) {
    batch.purchases.push({
      externalId: purchase.external_id,
      productId: purchase.product_id,
      currency: purchase.currency.toUpperCase(),
      price: purchase.price,
      quantity: purchase.quantity ?? 1,
      time: eventTime(purchase.time, now),
      properties: (purchase.properties ?? {}) as Attributes,
    });
  }
  return { batch, errors };
}

/** Braze's success body: counts for the kinds present in the request, plus non-fatal errors. */
export function trackResponse(body: TrackRequest, errors: TrackError[] = [], ignoredFields: string[] = []): TrackResponse {
  const response: TrackResponse = { message: 'success' };
  if (body.attributes) response.attributes_processed = body.attributes.length;
  if (body.events) response.events_processed = body.events.length;
  if (body.purchases) response.purchases_processed = body.purchases.length;
  if (errors.length > 0) response.errors = errors;
  if (ignoredFields.length > 0) response.ignored_fields = ignoredFields;
  return response;
}

// The engagement stream for warehouses (sent, delivered, failed, dead, aborted, score changes, events).
import type { Attributes } from './json.js';

export interface ExportEvent {
  seq: number; // strictly increasing cursor
  type: string;
  at: string;
  externalId?: string;
  campaignId?: string;
  deliveryId?: string;
  data: Attributes;
}

/** An export event before the stream gives it its position. */
export type NewExportEvent = Omit<ExportEvent, 'seq'>;

/** What a rule asks the stream to record for a user; the writer fills in `at` and the user. */
export interface ExportDraft {
  type: string;
  data: Attributes;
}

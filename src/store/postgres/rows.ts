// Row shapes as node-postgres returns them (JSON columns already parsed, BIGINT as string) and
// their mapping to the contract's types.
import * as Shared from '../row-mapping.js';
import type { Attributes, ExportEvent } from '../../domain/index.js';

export type ProfileRow = Shared.ProfileRow<Attributes>;
export type DeliveryRow = Shared.DeliveryRow<Attributes>;
export type CampaignRow = Shared.CampaignRow<Attributes>;
export type AttemptRow = Shared.AttemptRow<Attributes>;

export interface ExportRow extends Shared.ExportRowBase<Attributes> {
  pos: string;
}

const mapping = Shared.rowMapping<Attributes>((value) => value);
export const { toProfile, toDelivery, toDeliveryWithAttempts, toCampaign } = mapping;
/** The public cursor is the commit-ordered position, not the insert-time sequence. */
export const toExportEvent = (row: ExportRow): ExportEvent => mapping.toExportEvent(row, Number(row.pos));

/** JSON parameter: always a string, since node-postgres would turn a JS array into a SQL array. */
export const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

// What the /syncs routes answer, from the sync schema itself (OpenAPI, and checked on the way out).
import { z } from 'zod';
import { SyncConfigSchema } from '../../ingest/index.js';
import { Timestamp } from './common.js';

export const SyncViewSchema = SyncConfigSchema.safeExtend({
  id: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp,
}).describe('A stored table sync (credentials in a source URL shown as ***)');

export const SyncListSchema = z.object({ syncs: z.array(SyncViewSchema) });

const WatermarkSchema = z
  .object({ updated_at: z.json(), external_id: z.json() })
  .describe('Position after the last row read: its updated_at and external_id');

export const SyncDetailSchema = SyncViewSchema.safeExtend({
  watermark: WatermarkSchema.nullable().describe('null until the first row is read'),
});

export const SyncReportSchema = z.object({
  rows_read: z.number().int(),
  rows_applied: z.number().int(),
  rows_rejected: z.number().int(),
  watermark: WatermarkSchema.nullable(),
  errors: z.array(z.object({ row: z.string(), message: z.string() })).describe('Rejected rows (the first 100) and a failure that stopped the run'),
});

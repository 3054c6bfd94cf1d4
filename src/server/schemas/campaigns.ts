// Campaign routes' request and response shapes (snake_case), and the mappers from the
// render results (camelCase inside the code base) to them.
import { z } from 'zod';
import type { ActiveCampaign } from '../../deliveries/index.js';
import type { WebhookPreview, TestSendOutcome } from '../../render/index.js';
import { CampaignSchema } from '../../triggers/index.js';
import { CallRecordSchema, MessageExtrasSchema, RenderErrorSchema, Timestamp, callRecordView } from './common.js';

export const CampaignIdParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'id may contain letters, digits and _.:-').describe('Campaign id'),
});

export const CampaignViewSchema = z.object({
  id: z.string(),
  ...CampaignSchema.shape,
  ready: z.boolean().describe('False when placeholders lack values or are invalid: nothing is planned or sent'),
  missing_placeholders: z.array(z.string()).optional().describe('Environment variables still to set'),
  inactive_reason: z.string().optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const CampaignListSchema = z.object({ campaigns: z.array(CampaignViewSchema) });

export function campaignView(active: ActiveCampaign): z.output<typeof CampaignViewSchema> {
  return {
    id: active.id,
    ...active.campaign,
    ready: active.ready,
    ...(active.missing.length > 0 ? { missing_placeholders: active.missing } : {}),
    ...(active.inactiveReason ? { inactive_reason: active.inactiveReason } : {}),
    created_at: active.stored.createdAt,
    updated_at: active.stored.updatedAt,
  };
}

const recipientFields = {
  external_id: z.string().min(1).max(512).optional().describe('Render for this stored profile'),
  attributes: z.record(z.string(), z.json()).optional().describe('Render for these attributes (over the profile, if any)'),
  trigger: z.record(z.string(), z.json()).optional().describe('Trigger data, e.g. { "properties": {...} }'),
};
const hasRecipient = (r: { external_id?: string; attributes?: object }): boolean =>
  r.external_id !== undefined || r.attributes !== undefined;
const recipientMessage = { message: 'give external_id or attributes' };

export const RecipientSchema = z.object(recipientFields).strict().refine(hasRecipient, recipientMessage);

export const PreviewBodySchema = z
  .object({
    ...recipientFields,
    connected_content: z.enum(['stub', 'live']).optional().describe('stub (default): canned token answer; live: real calls'),
  })
  .strict()
  .refine(hasRecipient, recipientMessage);

const AbortedSchema = z.object({ reason: z.string() }).describe('Set when the template called abort_message');

export const PreviewResponseSchema = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  connected_content: z.array(CallRecordSchema),
  aborted: AbortedSchema.optional(),
  warnings: z.array(z.string()),
  errors: z.array(RenderErrorSchema),
  message_extras: MessageExtrasSchema,
});

export function previewView(preview: WebhookPreview): z.output<typeof PreviewResponseSchema> {
  const { connectedContent, messageExtras, ...rest } = preview;
  return { ...rest, connected_content: connectedContent.map(callRecordView), message_extras: messageExtras };
}

const SentRequestSchema = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  idempotency_key: z.string(),
  signed: z.boolean(),
});

export const TestSendResponseSchema = z.object({
  sent: z.boolean().describe('True when the request was sent, whatever the response'),
  aborted: AbortedSchema.optional(),
  warnings: z.array(z.string()),
  connected_content: z.array(CallRecordSchema),
  message_extras: MessageExtrasSchema,
  result: z
    .object({
      ok: z.boolean().describe('True for a 2xx response'),
      status_code: z.number().int().nullable(),
      headers: z.record(z.string(), z.string()),
      body: z.string().describe('Up to 1 MiB of the response'),
      truncated: z.boolean(),
      latency_ms: z.number(),
      error: z.object({ kind: z.string(), message: z.string(), code: z.string().optional() }).nullable(),
      request: SentRequestSchema.describe('What was sent, secrets redacted'),
    })
    .optional(),
});

export function testSendView(outcome: TestSendOutcome): z.output<typeof TestSendResponseSchema> {
  const { result } = outcome;
  return {
    sent: outcome.sent,
    ...(outcome.aborted ? { aborted: outcome.aborted } : {}),
    warnings: outcome.warnings,
    connected_content: outcome.connectedContent.map(callRecordView),
    message_extras: outcome.messageExtras,
    ...(result
      ? {
          result: {
            ok: result.ok,
            status_code: result.status ?? null,
            headers: result.headers,
            body: result.body,
            truncated: result.truncated,
            latency_ms: result.latencyMs,
            error: result.error ?? null,
            request: {
              method: result.request.method,
              url: result.request.url,
              headers: result.request.headers,
              body: result.request.body,
              idempotency_key: result.request.idempotencyKey,
              signed: result.request.signed,
            },
          },
        }
      : {}),
  };
}

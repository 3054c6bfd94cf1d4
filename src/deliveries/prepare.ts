// Send-time rendering: the latest profile goes through the campaign's webhook, so an
// abort_message (or a changed audience) sees the data as it is when the request leaves.
import { redactRequestForLog } from '../dispatch/redaction.js';
import type { WebhookRequest } from '../dispatch/types.js';
import type { LiquidhookEngine } from '../liquid/index.js';
import { redactText } from '../liquid/redact.js';
import { buildLiquidContext, type LiquidContext } from '../render/context.js';
import { WebhookRenderError, renderWebhookRequest } from '../render/render-request.js';
import type { Webhook } from '../render/schema.js';
import { matchesAudience } from '../triggers/audience.js';
import type { Attributes, Delivery, Json, Profile } from '../domain/index.js';
import type { CampaignLookup } from './catalog.js';
import type { PreparedSend } from './types.js';

export interface PrepareDeps {
  engine: LiquidhookEngine;
  campaigns: CampaignLookup;
  /** Values of `signing_secret_ref` names (environment by default). */
  signingSecrets?: Record<string, string | undefined>;
  now?: () => Date;
}

/**
 * A send once its campaign and recipient are known: plain data, so the rendering can run on the
 * send thread (see send-thread.ts).
 */
export interface SendJob {
  webhook: Webhook;
  context: LiquidContext;
  /** Secret placeholder values of the campaign, redacted from errors and the log. */
  secrets: string[];
  signingSecretRef?: string;
  signingSecret?: string;
  idempotencyKey: string;
}

export type ResolvedSend = { kind: 'ready'; job: SendJob } | Exclude<PreparedSend, { kind: 'send' }>;

/** The part of preparing that needs the catalog: campaign, audience, render context. */
export function createResolve(deps: Omit<PrepareDeps, 'engine'>) {
  const now = deps.now ?? (() => new Date());
  const signingSecrets = deps.signingSecrets ?? process.env;

  return async function resolve(delivery: Delivery, profile: Profile | undefined): Promise<ResolvedSend> {
    const { campaigns } = deps;
    // A campaign made by another process moments ago may not be in this one's catalog yet.
    const active = campaigns.lookup ? await campaigns.lookup(delivery.campaignId) : campaigns.get(delivery.campaignId);
    if (!active) return { kind: 'failed', error: `campaign ${delivery.campaignId} no longer exists` };
    if (!active.campaign.enabled) return { kind: 'aborted', reason: 'campaign is disabled' };
    const attributes = profile?.attributes ?? {};
    // Re-checked before the first attempt only: a retry or an operator's replay must go out
    // even though a successful send may have changed the profile (on_delivered_update).
    if (!delivery.firstAttemptAt && !matchesAudience(active.campaign.audience, attributes, now())) {
      return { kind: 'aborted', reason: 'user no longer matches the audience' };
    }
    const ref = active.webhook.signing_secret_ref;
    const signingSecret = ref ? signingSecrets[ref] : undefined;
    const job: SendJob = {
      webhook: active.webhook,
      context: buildLiquidContext(attributes, { externalId: delivery.externalId, trigger: delivery.trigger }),
      secrets: active.secrets,
      idempotencyKey: delivery.idempotencyKey,
      ...(ref ? { signingSecretRef: ref } : {}),
      ...(signingSecret ? { signingSecret } : {}),
    };
    return { kind: 'ready', job };
  };
}

/** Renders a resolved send: the request, or the template's abort, or why it cannot be sent. */
export async function renderSendJob(engine: LiquidhookEngine, job: SendJob): Promise<PreparedSend> {
  let rendered;
  try {
    rendered = await renderWebhookRequest(engine, job.webhook, job.context);
  } catch (error) {
    if (error instanceof WebhookRenderError) return { kind: 'failed', error: redactText(error.message, job.secrets) };
    throw error;
  }
  const secrets = [...job.secrets, ...rendered.secrets];
  const calls = rendered.calls as unknown as Json[];
  if (rendered.aborted) {
    return { kind: 'aborted', reason: rendered.aborted.reason, log: { connected_content: calls } };
  }
  if (job.signingSecretRef && !job.signingSecret) return { kind: 'failed', error: `signing secret ${job.signingSecretRef} is not configured` };
  const request: WebhookRequest = {
    url: rendered.url,
    method: rendered.method,
    headers: rendered.headers,
    body: rendered.body,
    idempotencyKey: job.idempotencyKey,
    ...(job.signingSecret ? { signingSecret: job.signingSecret } : {}),
    // Scrubbed from the response too, should the destination echo them.
    ...(secrets.length > 0 ? { secrets } : {}),
  };
  return { kind: 'send', request, log: logView(request, calls, rendered.warnings) };
}

export function createPrepare(deps: PrepareDeps) {
  const resolve = createResolve(deps);
  return async function prepare(delivery: Delivery, profile: Profile | undefined): Promise<PreparedSend> {
    const resolved = await resolve(delivery, profile);
    return resolved.kind === 'ready' ? renderSendJob(deps.engine, resolved.job) : resolved;
  };
}

function logView(request: WebhookRequest, calls: Json[], warnings: string[]): Attributes {
  const view = redactRequestForLog(request);
  return {
    method: view.method,
    url: view.url,
    headers: view.headers,
    body: view.body,
    idempotency_key: view.idempotencyKey,
    signed: view.signed,
    connected_content: calls,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

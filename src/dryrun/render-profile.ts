// One profile of a dry run, on the run's thread: audience check, render without sending, and
// the outcome counted in the tally. Only the keys (abort reasons, error messages) and the few
// kept examples are redacted, so a run of the whole audience costs about a render per profile.
import { secretForms } from '../dispatch/redaction.js';
import type { LiquidhookEngine } from '../liquid/index.js';
import { redactText } from '../liquid/redact.js';
import { buildLiquidContext } from '../render/context.js';
import { redactRendering } from '../render/redact-rendering.js';
import type { FieldError } from '../render/render-fields.js';
import { assembleWebhookRequest, type AssembledRequest } from '../render/render-request.js';
import type { Webhook } from '../render/schema.js';
import type { Attributes } from '../domain/index.js';
import { matchesAudience, type Filter } from '../triggers/index.js';
import { record, type Example, type OutcomeKind, type Tally } from './tally.js';

export interface ProfileInput {
  externalId: string;
  attributes: Attributes;
}

export interface RunContext {
  engine: LiquidhookEngine;
  webhook: Webhook;
  audience: Filter[];
  /** When the run started: relative audience dates are read against it. */
  now: Date;
  /** Configured secret values (placeholders) to redact. */
  secrets: string[];
  examples: number;
  tally: Tally;
}

/** Calls and warnings kept per example. */
const EXAMPLE_ITEMS = 20;
/** The delivery log keeps as much of a body. */
const EXAMPLE_BODY_CHARS = 4096;

/** Counts the profile in or out of the audience; true when it is in. */
export function checkAudience(run: RunContext, profile: ProfileInput): boolean {
  const matches = matchesAudience(run.audience, profile.attributes, run.now);
  if (matches) run.tally.inAudience++;
  else run.tally.notInAudience++;
  return matches;
}

/**
 * Renders one profile; the returned function counts it. Renders of a page overlap, and their
 * outcomes are counted in page order, so a run's examples do not depend on timing.
 */
export async function renderProfile(run: RunContext, profile: ProfileInput): Promise<() => void> {
  const context = buildLiquidContext(profile.attributes, { externalId: profile.externalId });
  let rendered: AssembledRequest;
  try {
    rendered = await assembleWebhookRequest(run.engine, run.webhook, context);
  } catch (error) {
    const message = redactText(error instanceof Error ? error.message : String(error), secretForms(run.secrets));
    return () => record(run.tally, 'error', message, run.examples, () => ({ externalId: profile.externalId, calls: [], warnings: [] }));
  }
  const kind: OutcomeKind = rendered.errors.length > 0 ? 'error' : rendered.aborted ? 'aborted' : 'send';
  let key = '';
  if (kind !== 'send') {
    const text = kind === 'error' ? describe(rendered.errors[0]!) : rendered.aborted!.reason;
    key = redactText(text, secretForms([...run.secrets, ...rendered.secrets]));
  }
  return () => {
    run.tally.calls += rendered.calls.length;
    record(run.tally, kind, key, run.examples, () => example(run, profile.externalId, rendered, kind));
  };
}

export function stoppedProfile(run: Pick<RunContext, 'tally' | 'examples'>, externalId: string, message: string): void {
  record(run.tally, 'error', message, run.examples, () => ({ externalId, calls: [], warnings: [] }));
}

function describe(error: FieldError): string {
  return `${error.field}${error.line > 0 ? ` (line ${error.line}, column ${error.column})` : ''}: ${error.message}`;
}

function example(run: RunContext, externalId: string, rendered: AssembledRequest, kind: OutcomeKind): Example {
  const shown = redactRendering(rendered, { secrets: run.secrets, maxBodyChars: EXAMPLE_BODY_CHARS });
  return {
    externalId,
    ...(kind === 'send' ? { request: shown.request } : {}),
    ...(kind === 'error' ? { errors: shown.errors } : {}),
    calls: shown.calls.slice(0, EXAMPLE_ITEMS),
    warnings: shown.warnings.slice(0, EXAMPLE_ITEMS),
  };
}

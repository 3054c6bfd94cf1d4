// A rendered webhook as previews, test sends and dry runs show it: the request through the one
// request redaction (redactRequest, which the delivery log uses too), and the connected_content
// calls, warnings, errors and abort reason scrubbed of the same secret values.
import { redactRequest, secretForms, type RedactedRequest } from '../dispatch/index.js';
import { redactText, type CallRecord } from '../liquid/index.js';
import type { FieldError } from './render-fields.js';
import type { AssembledRequest } from './render-request.js';

export interface RedactedRendering {
  request: RedactedRequest;
  calls: CallRecord[];
  warnings: string[];
  errors: FieldError[];
  messageExtras: Record<string, string>;
  aborted?: { reason: string };
}

export interface RenderingRedaction {
  /** Secret values beyond those the render met: configured placeholder secrets, a signing secret. */
  secrets?: Iterable<string>;
  /** Longer bodies are clipped. */
  maxBodyChars?: number;
}

export function redactRendering(rendered: AssembledRequest, options: RenderingRedaction = {}): RedactedRendering {
  const secrets = [...rendered.secrets, ...(options.secrets ?? [])];
  const known = secretForms(secrets);
  const hide = (text: string): string => redactText(text, known);
  return {
    request: redactRequest(rendered, { secrets, ...(options.maxBodyChars !== undefined ? { maxBodyChars: options.maxBodyChars } : {}) }),
    // Call records come redacted from the engine; known values are scrubbed again for safety.
    calls: rendered.calls.map((call) => ({ ...call, url: hide(call.url), ...(call.error ? { error: hide(call.error) } : {}) })),
    warnings: rendered.warnings.map(hide),
    errors: rendered.errors.map((e) => ({ ...e, message: hide(e.message) })),
    messageExtras: redactMessageExtras(rendered.messageExtras, secrets),
    ...(rendered.aborted ? { aborted: { reason: hide(rendered.aborted.reason) } } : {}),
  };
}

/**
 * The pairs with known secret values (a saved token written into a value) replaced, keys too.
 * Only known values: the pairs are data the author chose to record, not requests to sanitise.
 */
export function redactMessageExtras(extras: Record<string, string>, secrets: Iterable<string>): Record<string, string> {
  const known = [...secrets];
  if (known.length === 0) return extras;
  return Object.fromEntries(Object.entries(extras).map(([key, value]) => [scrubSecretValues(key, known), scrubSecretValues(value, known)]));
}

/** Known secret values out of a text that is shown as it came (a test send's response). */
export function scrubSecretValues(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secretForms(secrets)) out = out.split(secret).join('[REDACTED]');
  return out;
}

// The final request a webhook produces for one recipient, un-redacted: what the delivery
// worker sends. Previews build on the same assembly and redact it afterwards.
import { CodedError } from '../errors/index.js';
import type { CallRecord, LiquidhookEngine, RenderAbort, RenderOptions } from '../liquid/index.js';
import { renderFields, type FieldError, type RenderedFields } from './render-fields.js';
import type { HttpMethod, Webhook } from '../domain/index.js';

export interface AssembledRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string;
  aborted?: RenderAbort;
  calls: CallRecord[];
  warnings: string[];
  errors: FieldError[];
  /** Key/value pairs of the webhook's `message_extras` tags, recorded on the send. */
  messageExtras: Record<string, string>;
  /** Set when a render limit caused the errors. */
  limitExceeded?: true;
  /** Secret values met while rendering, for redaction by value. */
  secrets: string[];
}

export type RenderedWebhookRequest = Omit<AssembledRequest, 'errors' | 'limitExceeded'>;

export class WebhookRenderError extends CodedError {
  constructor(
    public readonly errors: FieldError[],
    /** A render limit (time, size, loops, nesting, memory) stopped the template. */
    public readonly limitExceeded = false,
  ) {
    super(
      limitExceeded ? 'LH_LIMIT_EXCEEDED' : 'LH_RENDER_FAILED',
      `webhook did not render: ${errors
        .map((e) => `${e.field}${e.line > 0 ? ` (line ${e.line}, column ${e.column})` : ''}: ${e.message}`)
        .join('; ')}`,
      { fields: errors.map((e) => ({ path: e.field, message: e.message })), summary: 'webhook did not render' },
    );
    this.name = 'WebhookRenderError';
  }
}

/**
 * Render a webhook for one recipient. `context` is the Liquid render context (see
 * buildLiquidContext). Throws WebhookRenderError naming the field and position of any error;
 * an `abort_message` is not an error: the result carries `aborted` and nothing should be sent.
 */
export async function renderWebhookRequest(
  engine: LiquidhookEngine,
  webhook: Webhook,
  context: object,
  options?: RenderOptions,
): Promise<RenderedWebhookRequest> {
  const { errors, limitExceeded, ...request } = await assembleWebhookRequest(engine, webhook, context, options);
  if (errors.length > 0) throw new WebhookRenderError(errors, limitExceeded === true);
  return request;
}

export async function assembleWebhookRequest(
  engine: LiquidhookEngine,
  webhook: Webhook,
  context: object,
  options?: RenderOptions,
): Promise<AssembledRequest> {
  const rendered = await renderFields(engine, webhook, context, options);
  const base: AssembledRequest = {
    method: webhook.method,
    url: '',
    headers: {},
    body: '',
    calls: rendered.calls,
    warnings: [...rendered.warnings],
    errors: [...rendered.errors],
    messageExtras: rendered.messageExtras,
    secrets: rendered.secrets,
    ...(rendered.aborted ? { aborted: rendered.aborted } : {}),
    ...(rendered.limitExceeded ? { limitExceeded: true as const } : {}),
  };
  if (rendered.aborted || rendered.outputs.length === 0) return base;
  return assemble(base, rendered, webhook.body.type === 'json_pairs');
}

function assemble(request: AssembledRequest, rendered: RenderedFields, jsonPairs: boolean): AssembledRequest {
  const pairs: [string, string][] = [];
  rendered.templates.forEach((t, i) => {
    const output = rendered.outputs[i]!;
    if (t.field === 'url') request.url = checkUrl(output.trim(), request.errors);
    else if (t.field.startsWith('header:')) {
      const name = t.field.slice('header:'.length);
      request.headers[name] = checkHeaderValue(name, output.trim(), request.errors);
    } else if (t.label === 'body') request.body = output;
    else if (t.label.endsWith(' key')) pairs.push([output.trim(), '']);
    else pairs[pairs.length - 1]![1] = output;
  });
  if (jsonPairs) {
    request.body = pairsToJson(pairs, request.warnings);
  }
  const contentType = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  if (contentType && /\bjson\b/i.test(contentType) && request.body.trim() !== '' && !isJson(request.body)) {
    request.warnings.push(`body is not valid JSON although Content-Type is ${contentType}`);
  }
  return request;
}

function checkUrl(url: string, errors: FieldError[]): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    errors.push({ field: 'url', message: `rendered URL "${url}" is not a valid URL`, line: 0, column: 0 });
    return url;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    errors.push({ field: 'url', message: `rendered URL must use http or https, not ${parsed.protocol}`, line: 0, column: 0 });
  }
  return url;
}

function checkHeaderValue(name: string, value: string, errors: FieldError[]): string {
  // Header values may not carry control characters; a line break would split the header.
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
    const what = /[\r\n]/.test(value) ? 'a line break' : 'a control character';
    errors.push({ field: `header:${name}`, message: `rendered value contains ${what}`, line: 0, column: 0 });
  }
  return value;
}

function pairsToJson(pairs: [string, string][], warnings: string[]): string {
  const object: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (Object.hasOwn(object, key)) warnings.push(`body key "${key}" is set twice; the last value wins`);
    object[key] = value;
  }
  return JSON.stringify(object);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

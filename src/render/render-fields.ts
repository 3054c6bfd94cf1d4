// Renders every field of a webhook in one Liquid render, in the order url, headers, body, so
// that a `:save result` in the Authorization header is visible to later fields and all fields
// share one render state (connected_content calls, limits, abort_message).
//
// Each field is first parsed on its own (so a tag left open in one field cannot swallow the
// next, and parse errors point at the right field); the fields are then joined with a separator
// that no field contains, rendered once, and split again. A rendered separator count other than
// the expected one (attribute data containing it) fails the render instead of shifting fields.
import type { LiquidhookEngine, RenderOptions } from '../liquid/index.js';
import { TemplateError } from '../liquid/index.js';
import type { CallRecord, RenderAbort } from '../liquid/index.js';
import type { Webhook } from '../domain/index.js';

/** `url`, `body` or `header:<name>`. */
export type WebhookField = 'url' | 'body' | `header:${string}`;

export interface FieldError {
  field: WebhookField;
  message: string;
  /** 1-based position inside that field's template; 0 when not tied to a position. */
  line: number;
  column: number;
}

interface FieldTemplate {
  field: WebhookField;
  /** Distinguishes the parts of a json_pairs body in messages. */
  label: string;
  template: string;
}

export interface RenderedFields {
  /** Rendered output per template, in `templates` order; empty when not rendered. */
  outputs: string[];
  templates: FieldTemplate[];
  aborted?: RenderAbort;
  calls: CallRecord[];
  warnings: string[];
  errors: FieldError[];
  /** `message_extras` pairs of every field (empty when the render aborted or failed). */
  messageExtras: Record<string, string>;
  /** Set when a render limit (time, size, loops, nesting, memory) caused the errors. */
  limitExceeded?: true;
  /** Secret values the engine met while rendering (tokens, credentials), when it reports them. */
  secrets: string[];
}

export const FIELD_SEPARATOR = '\u001eliquidhook-field\u001e';

export function fieldTemplates(webhook: Webhook): FieldTemplate[] {
  const out: FieldTemplate[] = [{ field: 'url', label: 'url', template: webhook.url }];
  for (const [name, value] of Object.entries(webhook.headers)) {
    out.push({ field: `header:${name}`, label: `header ${name}`, template: value });
  }
  if (webhook.body.type === 'raw') {
    out.push({ field: 'body', label: 'body', template: webhook.body.text });
  } else {
    webhook.body.pairs.forEach((pair, i) => {
      out.push({ field: 'body', label: `body pair ${i + 1} key`, template: pair.key });
      out.push({ field: 'body', label: `body pair ${i + 1} value`, template: pair.value });
    });
  }
  return out;
}

/** What every render of one webhook shares: its fields, the joined template and the parse check. */
interface PreparedFields {
  templates: FieldTemplate[];
  combined: string;
  parseErrors: FieldError[];
  /** A parse limit (template size, nesting) caused a parse error. */
  parseLimit: boolean;
  locate: Locate;
}

// Per engine, per webhook object: a webhook is rendered once per recipient, so the parse check
// and the joined template (whose identity keeps the engine's cache lookup cheap) are reused.
const preparedByEngine = new WeakMap<LiquidhookEngine, WeakMap<Webhook, PreparedFields>>();

function prepareFields(engine: LiquidhookEngine, webhook: Webhook): PreparedFields {
  let byWebhook = preparedByEngine.get(engine);
  if (!byWebhook) preparedByEngine.set(engine, (byWebhook = new WeakMap()));
  const known = byWebhook.get(webhook);
  // A webhook changed in place since it was prepared is prepared again.
  if (known && stillMatches(webhook, known.templates)) return known;
  const templates = fieldTemplates(webhook);
  const parseErrors: FieldError[] = [];
  let parseLimit = false;
  for (const t of templates) {
    if (t.template.includes(FIELD_SEPARATOR)) {
      parseErrors.push({ field: t.field, message: `${t.label}: contains a reserved control character`, line: 0, column: 0 });
      continue;
    }
    try {
      engine.parse(t.template);
    } catch (error) {
      parseErrors.push(fieldError(t, error, 0, 0));
      if (error instanceof TemplateError && error.kind === 'limit') parseLimit = true;
    }
  }
  const combined = templates.map((t) => t.template).join(FIELD_SEPARATOR);
  const prepared = { templates, combined, parseErrors, parseLimit, locate: locator(templates) };
  byWebhook.set(webhook, prepared);
  return prepared;
}

/** Whether `webhook` still has the fields `templates` was made from; runs every render, so it allocates nothing. */
function stillMatches(webhook: Webhook, templates: FieldTemplate[]): boolean {
  let i = 0;
  const same = (field: string, template: string): boolean => {
    const t = templates[i++];
    return t !== undefined && t.field === field && t.template === template;
  };
  if (!same('url', webhook.url)) return false;
  for (const name in webhook.headers) {
    if (!Object.hasOwn(webhook.headers, name)) continue;
    const t = templates[i++];
    const field = t?.field;
    const named = field !== undefined && field.length === name.length + 7 && field.startsWith('header:') && field.endsWith(name);
    if (!named || t!.template !== webhook.headers[name]) return false;
  }
  if (webhook.body.type === 'raw') {
    if (!same('body', webhook.body.text)) return false;
  } else {
    for (const pair of webhook.body.pairs) if (!same('body', pair.key) || !same('body', pair.value)) return false;
  }
  return i === templates.length;
}

function emptyFields(templates: FieldTemplate[], extra: Partial<RenderedFields>): RenderedFields {
  return { outputs: [], templates, calls: [], warnings: [], errors: [], messageExtras: {}, secrets: [], ...extra };
}

export async function renderFields(engine: LiquidhookEngine, webhook: Webhook, context: object, options?: RenderOptions): Promise<RenderedFields> {
  const { templates, combined, parseErrors, parseLimit, locate } = prepareFields(engine, webhook);
  if (parseErrors.length > 0) return emptyFields(templates, { errors: parseErrors, ...(parseLimit ? { limitExceeded: true as const } : {}) });

  let result;
  try {
    result = await engine.render(combined, context, options);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    const at = locate(combined, error.line, error.column);
    const errors = [fieldError(templates[at.index]!, error, at.line, at.column)];
    return emptyFields(templates, { errors, ...(error.kind === 'limit' ? { limitExceeded: true as const } : {}) });
  }
  const secrets = [...(result.secrets ?? [])];
  const warnings = result.warnings.length === 0 ? [] : result.warnings.map((w) => relocateWarning(w, combined, locate, templates));
  const base = { calls: result.connectedContent, warnings, secrets };
  if (result.aborted) return emptyFields(templates, { ...base, aborted: result.aborted });

  const outputs = result.output.split(FIELD_SEPARATOR);
  if (outputs.length !== templates.length) {
    const message = 'rendered output contains a reserved control character (from attribute or connected_content data)';
    return emptyFields(templates, { ...base, errors: [{ field: 'body', message, line: 0, column: 0 }] });
  }
  return { ...emptyFields(templates, base), outputs, messageExtras: result.messageExtras };
}

function fieldError(t: FieldTemplate, error: unknown, line: number, column: number): FieldError {
  if (error instanceof TemplateError) {
    const prefix = t.field === 'body' && t.label !== 'body' ? `${t.label}: ` : '';
    return { field: t.field, message: prefix + error.reason, line: line || error.line, column: column || error.column };
  }
  return { field: t.field, message: `${t.label}: ${error instanceof Error ? error.message : String(error)}`, line: 0, column: 0 };
}

interface Location {
  index: number;
  line: number;
  column: number;
}

/** Maps a 1-based line/column of the joined template to a field and a position inside it. */
type Locate = (combined: string, line: number, column: number) => Location;

function locator(templates: FieldTemplate[]): Locate {
  const starts: number[] = [];
  let offset = 0;
  for (const t of templates) {
    starts.push(offset);
    offset += t.template.length + FIELD_SEPARATOR.length;
  }
  return (combined, line, column) => {
    if (line <= 0) return { index: 0, line: 0, column: 0 };
    let absolute = 0;
    for (let l = 1; l < line; l++) {
      const next = combined.indexOf('\n', absolute);
      if (next < 0) break;
      absolute = next + 1;
    }
    absolute += Math.max(column - 1, 0);
    let index = 0;
    while (index + 1 < starts.length && starts[index + 1]! <= absolute) index++;
    const before = templates[index]!.template.slice(0, absolute - starts[index]!);
    const lines = before.split('\n');
    return { index, line: lines.length, column: lines.at(-1)!.length + 1 };
  };
}

/** Rewrites `(line L, column C)` of the joined template into the field's own position. */
function relocateWarning(warning: string, combined: string, locate: Locate, templates: FieldTemplate[]): string {
  return warning.replace(/\(line (\d+), column (\d+)\)/g, (_whole, l: string, c: string) => {
    const at = locate(combined, Number(l), Number(c));
    return `(${templates[at.index]!.label}, line ${at.line}, column ${at.column})`;
  });
}

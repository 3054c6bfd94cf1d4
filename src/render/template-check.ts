// The save-time check of a webhook's templates: every field must parse. The API (campaigns,
// content blocks), the template files loaded at start and `liquidhook lint` all call it, so a
// template that would fail at every send is refused where it is written, with the field, the line
// and the column, in the author's words.
import { contentBlockReferences, createLiquid, MAX_CONTENT_BLOCK_NESTING, TemplateError, type LiquidhookEngine } from '../liquid/index.js';
import type { FieldRef } from './file-positions.js';
import type { Webhook } from './schema.js';

/** One template field of a webhook. */
export interface WebhookTemplateField {
  ref: FieldRef;
  /** Path in the webhook object: `['url']`, `['headers', 'Authorization']`, `['body', 'pairs', 0, 'value']`. */
  path: (string | number)[];
  /** How messages name the field: `url`, `header Authorization`, `body pair 1 value`. */
  label: string;
  text: string;
}

export interface TemplateIssue {
  field: WebhookTemplateField;
  /** 1-based position inside the field's template (0 when the problem has no position, e.g. size). */
  line: number;
  column: number;
  /** What is wrong, without the position. */
  message: string;
}

export function webhookTemplateFields(webhook: Webhook): WebhookTemplateField[] {
  const fields: WebhookTemplateField[] = [{ ref: { kind: 'url' }, path: ['url'], label: 'url', text: webhook.url }];
  for (const [name, text] of Object.entries(webhook.headers)) {
    fields.push({ ref: { kind: 'header', name }, path: ['headers', name], label: `header ${name}`, text });
  }
  if (webhook.body.type === 'raw') fields.push({ ref: { kind: 'body' }, path: ['body', 'text'], label: 'body', text: webhook.body.text });
  else {
    webhook.body.pairs.forEach((pair, index) => {
      for (const part of ['key', 'value'] as const) {
        fields.push({ ref: { kind: 'pair', index, part }, path: ['body', 'pairs', index, part], label: `body pair ${index + 1} ${part}`, text: pair[part] });
      }
    });
  }
  return fields;
}

// Parsing needs no network; the engine's parse cache makes re-checking an unchanged field cheap.
let checkEngine: LiquidhookEngine | undefined;

/** Why `template` does not parse, or undefined when it does. */
export function templateError(template: string, engine: LiquidhookEngine = (checkEngine ??= createLiquid())): TemplateError | undefined {
  try {
    engine.parse(template);
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
}

/** Every field of `webhook` that does not parse (empty when all do). */
export function webhookTemplateIssues(webhook: Webhook, engine?: LiquidhookEngine): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  for (const field of webhookTemplateFields(webhook)) {
    const error = templateError(field.text, engine);
    if (error) issues.push({ field, line: error.line, column: error.column, message: error.reason });
  }
  return issues;
}

/**
 * The blocks a render of `webhook` can include, from `all` (name → Liquid): those its fields
 * name and those these name, as deep as Braze expands. A render on another thread gets these.
 */
export function contentBlocksUsedBy(webhook: Webhook, all: Readonly<Record<string, string>>): Record<string, string> {
  const used: Record<string, string> = {};
  let level = webhookTemplateFields(webhook).map((f) => f.text);
  for (let depth = 0; depth < MAX_CONTENT_BLOCK_NESTING && level.length > 0; depth++) {
    const next: string[] = [];
    for (const text of level) {
      for (const { name } of contentBlockReferences(text)) {
        if (Object.hasOwn(used, name) || !Object.hasOwn(all, name)) continue;
        used[name] = all[name]!;
        next.push(all[name]!);
      }
    }
    level = next;
  }
  return used;
}

/** `message (line L, column C)`, or the message alone when there is no position. */
export function withPosition(issue: Pick<TemplateIssue, 'line' | 'column' | 'message'>): string {
  return issue.line > 0 ? `${issue.message} (line ${issue.line}, column ${issue.column})` : issue.message;
}

// Lints one template file for use in Braze and here: syntax errors, filters Braze does not
// support, attributes Braze does not know, and (for JSON webhooks) bodies that are not valid
// JSON for sample recipients. Sample renders never touch the network (connected_content stubbed).
import { createLiquid, isBrazeDefaultAttribute, BRAZE_NAMESPACES, rewriteBrazeSyntax, type LiquidhookEngine } from '../../liquid/index.js';
import { WebhookFileError, parseWebhookFile, previewWebhook, substitutePlaceholders, templateError, webhookTemplateFields } from '../../render/index.js';
import type { Placeholder, Webhook, WebhookTemplateField } from '../../render/index.js';
import { fieldRefOf, identityLocator, webhookFileLocator, type FieldLocator } from '../file-positions.js';
import { isWebhookFile, PLAIN_TEMPLATE_URL } from '../template-input.js';
import { ENGINE_ONLY_FILTERS, UNSUPPORTED_FILTERS } from './braze-filters.js';
import { blocksNextTo, contentBlockProblems } from './content-blocks.js';
import { lintSamples } from './samples.js';
import { findFilterUses, positionAt } from './scan.js';

export type Severity = 'error' | 'warning';

export const LINT_RULES = [
  'syntax',
  'unsupported-filter',
  'engine-only-filter',
  'unknown-filter',
  'unknown-attribute',
  'render-error',
  'invalid-json-body',
  'content-block',
] as const;
export type LintRule = (typeof LINT_RULES)[number];

export interface Finding {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  rule: LintRule;
  message: string;
}

/** A shared engine: parsing only, no network. */
let parseEngine: LiquidhookEngine | undefined;

export async function lintTemplateText(path: string, text: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'file'>): void => {
    if (!findings.some((g) => g.rule === f.rule && g.line === f.line && g.column === f.column && g.message === f.message)) {
      findings.push({ file: path, ...f });
    }
  };
  let webhook: Webhook;
  let placeholders: Placeholder[] = [];
  let locator: FieldLocator = identityLocator;
  if (isWebhookFile(path)) {
    try {
      const file = parseWebhookFile(text, path);
      webhook = file.webhook;
      placeholders = file.placeholders;
      locator = webhookFileLocator(text);
    } catch (error) {
      if (!(error instanceof WebhookFileError)) throw error;
      for (const issue of error.issues) {
        add({ line: issue.line, column: issue.column, severity: 'error', rule: 'syntax', message: `${issue.path ? `${issue.path}: ` : ''}${issue.message}` });
      }
      return findings;
    }
  } else {
    webhook = { url: PLAIN_TEMPLATE_URL, method: 'POST', headers: {}, body: { type: 'raw', text } };
  }

  const engine = (parseEngine ??= createLiquid());
  const blocks = await blocksNextTo(path);
  let parsed = true;
  for (const field of fieldsOf(webhook)) {
    const at = (line: number, column: number) => locator.locate(field.ref, line, column);
    const error = templateError(field.text, engine);
    if (error) {
      parsed = false;
      const where = webhook.url === PLAIN_TEMPLATE_URL ? '' : `${field.label}: `;
      add({ ...at(error.line, error.column), severity: 'error', rule: 'syntax', message: `${where}${error.reason}` });
    }
    for (const use of findFilterUses(field.text)) {
      const pos = positionAt(field.text, use.offset);
      const finding = filterFinding(use.name, engine);
      if (finding) add({ ...at(pos.line, pos.column), ...finding });
    }
    for (const problem of contentBlockProblems(field.text, blocks)) {
      // Every sample render would fail on it too: said once, here.
      parsed = false;
      const pos = positionAt(field.text, problem.offset);
      add({ ...at(pos.line, pos.column), severity: 'error', rule: 'content-block', message: problem.message });
    }
    for (const ref of rewriteBrazeSyntax(field.text).attributes) {
      const finding = attributeFinding(ref.path, ref.text);
      if (finding) add({ ...at(positionAt(field.text, ref.offset).line, positionAt(field.text, ref.offset).column), ...finding });
    }
  }
  if (!parsed) return findings;

  await lintSampleRenders(webhook, placeholders, locator, add, blocks.blocks);
  return findings;
}

/** The webhook's template fields; a plain template is its body only. */
function fieldsOf(webhook: Webhook): WebhookTemplateField[] {
  const fields = webhookTemplateFields(webhook);
  return webhook.url === PLAIN_TEMPLATE_URL ? fields.filter((f) => f.ref.kind !== 'url') : fields;
}

function filterFinding(name: string, engine: LiquidhookEngine): Pick<Finding, 'severity' | 'rule' | 'message'> | undefined {
  const unsupported = UNSUPPORTED_FILTERS.get(name);
  if (unsupported) return { severity: 'error', rule: 'unsupported-filter', message: `filter "${name}" is ${unsupported}` };
  if (ENGINE_ONLY_FILTERS.has(name)) {
    return { severity: 'warning', rule: 'engine-only-filter', message: `filter "${name}" is not a Braze filter: it works here but passes its input through unchanged in Braze` };
  }
  if (!(name in (engine.liquid.filters as object))) {
    return { severity: 'warning', rule: 'unknown-filter', message: `unknown filter "${name}" passes its input through unchanged` };
  }
  return undefined;
}

function attributeFinding(path: string[] | undefined, text: string): Pick<Finding, 'severity' | 'rule' | 'message'> | undefined {
  if (!path || path.length === 0) return undefined;
  if (path.length === 1 && !isBrazeDefaultAttribute(path[0]!)) {
    return {
      severity: 'error',
      rule: 'unknown-attribute',
      message: `${text} is not a Braze default attribute and always renders blank; read custom attributes as custom_attribute.\${${path[0]}}`,
    };
  }
  if (path.length > 1 && !BRAZE_NAMESPACES.includes(path[0]!)) {
    return { severity: 'warning', rule: 'unknown-attribute', message: `${text}: "${path[0]}" is not a Braze namespace (custom_attribute, event_properties, ...)` };
  }
  return undefined;
}

async function lintSampleRenders(
  webhook: Webhook,
  placeholders: Placeholder[],
  locator: FieldLocator,
  add: (f: Omit<Finding, 'file'>) => void,
  contentBlocks: Record<string, string>,
): Promise<void> {
  const values: Record<string, string> = {};
  for (const p of placeholders) values[p.text] = p.kind === 'origin' ? 'https://placeholder.example.com' : 'placeholder';
  const filled = substitutePlaceholders(webhook, values);
  const references = fieldsOf(webhook).flatMap((f) => rewriteBrazeSyntax(f.text).attributes);
  const bodyStart = locator.locate({ kind: 'body' }, 0, 0);
  // An attribute written where JSON expects a number breaks with any text value; that is a
  // type question, so escaping is only reported when plain text values still give valid JSON.
  let plainTextValid = true;
  for (const sample of lintSamples(references)) {
    const preview = await previewWebhook(filled, { attributes: sample.context, connectedContent: 'stub', revealSecrets: true, contentBlocks });
    for (const error of preview.errors) {
      const pos = locator.locate(fieldRefOf(error.field, error.message), error.line, error.column);
      add({ ...pos, severity: 'error', rule: 'render-error', message: `${error.field === 'body' || webhook.url === PLAIN_TEMPLATE_URL ? '' : `${error.field}: `}${error.message} (sample: ${sample.name})` });
    }
    if (preview.aborted || preview.errors.length > 0 || webhook.body.type !== 'raw') continue;
    const contentType = Object.entries(preview.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    if (!contentType || !/\bjson\b/i.test(contentType) || preview.body.trim() === '') continue;
    const problem = jsonProblem(preview.body);
    if (sample.reference) {
      plainTextValid = problem === undefined;
      continue;
    }
    if (sample.escapes && !plainTextValid) continue;
    if (problem) {
      const hint = sample.escapes ? '; escape string values with | json_escape' : '';
      add({ ...bodyStart, severity: 'error', rule: 'invalid-json-body', message: `body is not valid JSON (Content-Type ${contentType}) with sample "${sample.name}": ${problem}${hint}` });
    }
  }
}

function jsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/\s+/g, ' ');
  }
}

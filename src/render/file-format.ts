// The template file format: YAML front matter between `---` lines, then the raw request body.
//
//   ---
//   name: Salesforce > Update lead to MQL
//   url: https://example.com/leads/{{${user_id}}}
//   method: PATCH
//   headers:
//     Authorization: |-
//       {% connected_content https://example.com/token :save result %}
//        Bearer {{result.access_token}}
//     Content-Type: application/json
//   ---
//   { "lead_status": "MQL" }
//
// Block scalars keep multi-line header values verbatim. A JSON key/value body is written as
// `body: { type: json_pairs, pairs: [...] }` in the front matter, with nothing after it.
// The body is the text after the closing `---` line minus one final newline; CRLF becomes LF.
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { z } from 'zod';
import { WebhookSchema, type Webhook } from '../domain/index.js';
import { CodedError } from '../errors/index.js';
import { CampaignSchema, type Campaign } from '../triggers/index.js';
import { PlaceholderSchema, webhookTemplateText, type Placeholder } from './placeholders.js';
import { issuesFromZod } from './schema.js';

export const WEBHOOK_FILE_SUFFIX = '.webhook.liquid';

const CAMPAIGN_KEYS = ['enabled', 'trigger', 'audience', 'reeligible_after_seconds', 'on_delivered_update'] as const;

const FrontMatterSchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    url: z.unknown(),
    method: z.unknown(),
    headers: z.unknown().optional(),
    body: z.unknown().optional(),
    signing_secret_ref: z.unknown().optional(),
    placeholders: z.array(PlaceholderSchema).default([]),
    enabled: z.unknown().optional(),
    trigger: z.unknown().optional(),
    audience: z.unknown().optional(),
    reeligible_after_seconds: z.unknown().optional(),
    on_delivered_update: z.unknown().optional(),
  })
  .strict();


export interface WebhookFile {
  name: string;
  description?: string;
  webhook: Webhook;
  placeholders: Placeholder[];
  /** Present when the file also describes a campaign (it has a `trigger`); validated by CampaignSchema. */
  campaign?: Campaign;
  /** File path, or `<text>` when parsed from a string. */
  source: string;
}

export interface FileIssue {
  line: number;
  column: number;
  /** Dotted front matter path, empty for file-level problems. */
  path: string;
  message: string;
}

export class WebhookFileError extends CodedError {
  constructor(
    public readonly file: string,
    public readonly issues: FileIssue[],
  ) {
    super('LH_FILE_INVALID', issues.map((i) => `${file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'WebhookFileError';
  }
  get line(): number {
    return this.issues[0]?.line ?? 1;
  }
}

interface Split {
  yaml: string;
  body: string;
  /** 1-based file line of the first front matter line. */
  yamlFirstLine: number;
  bodyFirstLine: number;
}

function splitFrontMatter(text: string, file: string): Split {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').split('\n');
  if (lines[0]?.trimEnd() !== '---') {
    throw new WebhookFileError(file, [{ line: 1, column: 1, path: '', message: 'file must start with a "---" front matter line' }]);
  }
  const close = lines.findIndex((line, i) => i > 0 && (line.trimEnd() === '---' || line.trimEnd() === '...'));
  if (close < 0) {
    throw new WebhookFileError(file, [
      { line: lines.length, column: 1, path: '', message: 'front matter is not closed by a "---" line' },
    ]);
  }
  const bodyLines = lines.slice(close + 1);
  let body = bodyLines.join('\n');
  if (body.endsWith('\n')) body = body.slice(0, -1);
  return { yaml: lines.slice(1, close).join('\n'), body, yamlFirstLine: 2, bodyFirstLine: close + 2 };
}

/** Parse the text of one template file. `source` names the file in error messages. */
export function parseWebhookFile(text: string, source = '<text>'): WebhookFile {
  const split = splitFrontMatter(text, source);
  const lineCounter = new LineCounter();
  const doc = parseDocument(split.yaml, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const at = (offset: number): { line: number; column: number } => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line + split.yamlFirstLine - 1, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw new WebhookFileError(
      source,
      doc.errors.map((e) => ({ ...at(e.pos[0]), path: '', message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  const data: unknown = doc.toJS();
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new WebhookFileError(source, [{ line: split.yamlFirstLine, column: 1, path: '', message: 'front matter must be a YAML mapping' }]);
  }

  const fail = (issues: { pathKeys: (string | number)[]; message: string }[], prefix: (string | number)[] = []): never => {
    throw new WebhookFileError(
      source,
      issues.map((issue) => {
        const keys = [...prefix, ...issue.pathKeys];
        // A raw body lives after the front matter, not in the YAML document.
        const inBodyText = keys[0] === 'body' && !doc.has('body');
        const pos = inBodyText ? { line: split.bodyFirstLine, column: 1 } : at(offsetOf(doc, keys));
        return { ...pos, path: keys.join('.'), message: issue.message };
      }),
    );
  };

  const front = FrontMatterSchema.safeParse(data);
  if (!front.success) fail(issuesFromZod(front.error));
  const fm = front.data!;

  const hasBodyText = split.body.trim() !== '';
  if (fm.body !== undefined && hasBodyText) {
    throw new WebhookFileError(source, [
      { line: split.bodyFirstLine, column: 1, path: 'body', message: 'body is set in the front matter, so no text may follow it' },
    ]);
  }
  const webhookInput = {
    url: fm.url,
    method: fm.method,
    ...(fm.headers === undefined ? {} : { headers: fm.headers }),
    body: fm.body ?? { type: 'raw', text: split.body },
    ...(fm.signing_secret_ref === undefined ? {} : { signing_secret_ref: fm.signing_secret_ref }),
  };
  const parsed = WebhookSchema.safeParse(webhookInput);
  if (!parsed.success) fail(issuesFromZod(parsed.error));
  const webhook = parsed.data!;

  const templateText = webhookTemplateText(webhook);
  const unused = fm.placeholders.flatMap((p, i) => (templateText.includes(p.text) ? [] : [{ p, i }]));
  if (unused.length > 0) {
    fail(unused.map(({ p, i }) => ({ pathKeys: [i, 'text'], message: `placeholder "${p.text}" does not occur in the template` })), ['placeholders']);
  }

  const campaign = campaignOf(fm, webhook, fail);
  return {
    name: fm.name,
    ...(fm.description === undefined ? {} : { description: fm.description }),
    webhook,
    placeholders: fm.placeholders,
    ...(campaign ? { campaign } : {}),
    source,
  };
}

type Fail = (issues: { pathKeys: (string | number)[]; message: string }[]) => never;

/** A file with a `trigger` is a whole campaign; campaign keys without one are a mistake. */
function campaignOf(fm: z.output<typeof FrontMatterSchema>, webhook: Webhook, fail: Fail): Campaign | undefined {
  const present = CAMPAIGN_KEYS.filter((key) => fm[key] !== undefined);
  if (present.length === 0) return undefined;
  if (fm.trigger === undefined) {
    fail([{ pathKeys: [present[0]!], message: `${present[0]} only applies to a campaign, which needs a trigger` }]);
  }
  const input: Record<string, unknown> = { name: fm.name, webhook };
  for (const key of present) input[key] = fm[key];
  const parsed = CampaignSchema.safeParse(input);
  if (!parsed.success) fail(issuesFromZod(parsed.error));
  return parsed.data;
}

/** Offset in the YAML text of the deepest existing node on `keys` (the document start if none). */
function offsetOf(doc: Document, keys: (string | number)[]): number {
  for (let depth = keys.length; depth > 0; depth--) {
    const node: unknown = doc.getIn(keys.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

// Shared by render and preview: choose how connected_content is answered, render the webhook
// through previewWebhook (redaction included) and turn field errors into file positions.
import { readFile } from 'node:fs/promises';
import { createGuardedAgent, parseAllowedHosts } from '../dispatch/index.js';
import { CodedError } from '../errors/index.js';
import { previewWebhook, fieldRefOf, type RecordedResponses, type WebhookPreview } from '../render/index.js';
import type { FieldError } from '../render/index.js';
import type { CommandArgs, OptionSpec } from './args.js';
import { CONTEXT_OPTIONS, subjectFromArgs, type RenderSubject } from './context-input.js';
import { readCliEnv } from './env.js';
import { UsageError } from './errors.js';
import { EXIT, EXIT_CODE_OF } from './exit-codes.js';
import { pathIn, type CliIo } from './io.js';
import { blocksNextTo } from './lint/content-blocks.js';
import { loadTemplate, missingPlaceholderWarnings, type LoadedTemplate } from './template-input.js';

export type ConnectedContentMode = 'live' | 'stub' | RecordedResponses;

export const CONNECTED_CONTENT_HELP = `  --connected-content MODE  live (default): call out through the SSRF guard (loopback and private
                            addresses need LIQUIDHOOK_ALLOWED_HOSTS); stub: answer every call with
                            {"access_token":"stub-token",...}; or a JSON file of recorded answers
                            {"URL" or "POST URL": body | {status, headers, body}}
  --reveal-secrets          show tokens and secret placeholder values in clear`;

export async function connectedContentMode(value: string | undefined, io: Pick<CliIo, 'cwd'>): Promise<ConnectedContentMode> {
  if (value === undefined || value === 'live') return 'live';
  if (value === 'stub') return 'stub';
  let text: string;
  try {
    text = await readFile(pathIn(io, value), 'utf8');
  } catch {
    throw new UsageError(`--connected-content must be live, stub or a JSON file of recorded answers (cannot read "${value}")`);
  }
  let recorded: unknown;
  try {
    recorded = JSON.parse(text);
  } catch (error) {
    throw new CodedError('LH_FILE_INVALID', `${value}: not valid JSON (${(error as Error).message})`);
  }
  if (recorded === null || typeof recorded !== 'object' || Array.isArray(recorded)) {
    throw new CodedError('LH_FILE_INVALID', `${value}: must be a JSON object mapping URLs to answers`);
  }
  return recorded as RecordedResponses;
}

/** The options of render and preview: whose data, and how connected_content is answered. */
export const RENDER_OPTIONS = {
  ...CONTEXT_OPTIONS,
  'connected-content': { type: 'string' },
  'reveal-secrets': { type: 'boolean' },
} as const satisfies OptionSpec;

export interface RenderedFile {
  template: LoadedTemplate;
  subject: RenderSubject;
  preview: WebhookPreview;
  errors: LocatedError[];
  warnings: string[];
  /** OK, ABORTED (abort_message) or FAILED (did not render). */
  code: number;
}

/** Renders FILE for the subject the arguments name (render and preview differ only in what they print). */
export async function renderFileFromArgs(path: string, args: CommandArgs, io: CliIo): Promise<RenderedFile> {
  const env = readCliEnv(io);
  const template = await loadTemplate(path, io);
  const subject = await subjectFromArgs(args, env, io, { required: false });
  const preview = await runPreview({
    template,
    context: subject.context,
    mode: await connectedContentMode(args.string('connected-content'), io),
    allowedHosts: env.allowedHosts,
    revealSecrets: args.flag('reveal-secrets'),
  });
  const { errors, warnings } = locateProblems(template, preview);
  const code = errors.length > 0 ? EXIT_CODE_OF.LH_RENDER_FAILED : preview.aborted ? EXIT_CODE_OF.LH_RENDER_ABORTED : EXIT.OK;
  return { template, subject, preview, errors, warnings, code };
}

/** A render's errors and warnings placed in the file, after the warnings of unset placeholders. */
export function locateProblems(template: LoadedTemplate, rendered: { errors: FieldError[]; warnings: string[] }): { errors: LocatedError[]; warnings: string[] } {
  return {
    errors: locateErrors(template, rendered.errors),
    warnings: [...missingPlaceholderWarnings(template), ...rendered.warnings.map((w) => relocateWarning(template, w))],
  };
}

export interface PreviewRun {
  template: LoadedTemplate;
  context: object;
  mode: ConnectedContentMode;
  allowedHosts: string;
  revealSecrets: boolean;
}

export async function runPreview(run: PreviewRun): Promise<WebhookPreview> {
  // A bad LIQUIDHOOK_ALLOWED_HOSTS is LH_CONFIG_INVALID.
  const allowList = parseAllowedHosts(run.allowedHosts);
  const agent = run.mode === 'live' ? createGuardedAgent({ allowedHosts: allowList }) : undefined;
  // The content blocks of the content-blocks/ folder next to the file, as lint reads them.
  const { blocks } = await blocksNextTo(run.template.path);
  try {
    return await previewWebhook(run.template.webhook, {
      attributes: run.context,
      connectedContent: run.mode,
      secrets: run.template.secrets,
      revealSecrets: run.revealSecrets,
      contentBlocks: blocks,
      ...(agent ? { dispatcher: agent } : {}),
    });
  } finally {
    await agent?.close();
  }
}

export interface LocatedError {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export function locateErrors(template: LoadedTemplate, errors: FieldError[]): LocatedError[] {
  return errors.map((e) => {
    const pos = template.locator.locate(fieldRefOf(e.field, e.message), e.line, e.column);
    return { file: template.path, ...pos, field: template.kind === 'liquid' ? 'template' : e.field, message: e.message };
  });
}

/** The `message_extras` pairs a send would record, as one line; undefined when there are none. */
export function formatMessageExtras(extras: Record<string, string>): string | undefined {
  return Object.keys(extras).length > 0 ? `message_extras: ${JSON.stringify(extras)}` : undefined;
}

export function formatLocatedError(e: LocatedError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.field === 'template' ? '' : `${e.field}: `}${e.message}`;
}

/** Rewrites `(header X, line L, column C)` in engine warnings into the file's own position. */
export function relocateWarning(template: LoadedTemplate, warning: string): string {
  return warning.replace(
    /\((url|header ([^,]+)|body(?: pair (\d+) (key|value))?), line (\d+), column (\d+)\)/g,
    (_whole, label: string, header: string | undefined, pair: string | undefined, part: string | undefined, l: string, c: string) => {
      const field =
        label === 'url'
          ? ({ kind: 'url' } as const)
          : header !== undefined
            ? ({ kind: 'header', name: header } as const)
            : pair !== undefined
              ? ({ kind: 'pair', index: Number(pair) - 1, part: part as 'key' | 'value' } as const)
              : ({ kind: 'body' } as const);
      const pos = template.locator.locate(field, Number(l), Number(c));
      return `(${template.path}:${pos.line}:${pos.column})`;
    },
  );
}

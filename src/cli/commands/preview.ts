// `liquidhook preview FILE`: the full request a webhook would send (method, URL, headers, body,
// connected_content calls, message_extras pairs, warnings, abort reason), secrets redacted.
// Nothing is sent except connected_content calls in live mode.
import type { WebhookPreview } from '../../render/index.js';
import type { CallRecord } from '../../liquid/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { CONTEXT_HELP } from '../context-input.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../io.js';
import { CONNECTED_CONTENT_HELP, formatLocatedError, formatMessageExtras, RENDER_OPTIONS, renderFileFromArgs, type LocatedError } from '../render-run.js';
import { isWebhookFile } from '../template-input.js';

const HELP = `Usage: liquidhook preview FILE.webhook.liquid [--attrs JSON | --attrs-file PATH | --user ID] [options]

Renders the webhook and prints the request it would send: method, URL, headers, body, the
connected_content calls made while rendering, the message_extras pairs a send would record,
warnings and the abort reason. Tokens, secret placeholder values and secret-looking headers and
parameters are redacted. Exits 3 when the template aborts, 1 when it does not render.

Options:
${CONTEXT_HELP}
${CONNECTED_CONTENT_HELP}
  --json                    {method, url, headers, body, connectedContent, messageExtras, warnings, errors, aborted?}
  -h, --help                show this help
`;

export const previewCommand: Command = {
  name: 'preview',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv, RENDER_OPTIONS);
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [path, extra] = args.positionals;
    if (path === undefined) throw new UsageError('preview needs a .webhook.liquid FILE');
    if (extra !== undefined) throw new UsageError(`preview takes one FILE (unexpected "${extra}")`);
    if (!isWebhookFile(path)) throw new UsageError(`preview needs a .webhook.liquid file (use render for ${path})`);
    const { subject, preview, errors, warnings, code } = await renderFileFromArgs(path, args, io);
    if (args.json) {
      printJson(io, { file: path, externalId: subject.externalId, ...preview, errors, warnings });
    } else {
      io.out(formatPreview(preview, errors, warnings));
    }
    return code;
  },
};

function formatPreview(preview: WebhookPreview, errors: LocatedError[], warnings: string[]): string {
  const lines: string[] = [];
  if (preview.connectedContent.length > 0) {
    lines.push('connected_content:');
    for (const call of preview.connectedContent) lines.push(`  ${formatCall(call)}`);
    lines.push('');
  }
  if (preview.aborted) {
    lines.push(`aborted: ${preview.aborted.reason}`, '(nothing would be sent)');
  } else if (errors.length > 0) {
    lines.push('not rendered:', ...errors.map((e) => `  ${formatLocatedError(e)}`));
  } else {
    lines.push(`${preview.method} ${preview.url}`);
    for (const [name, value] of Object.entries(preview.headers)) lines.push(`${name}: ${value}`);
    lines.push('', preview.body);
    const extras = formatMessageExtras(preview.messageExtras);
    if (extras) lines.push('', extras);
  }
  if (warnings.length > 0) lines.push('', 'warnings:', ...warnings.map((w) => `  ${w}`));
  return lines.join('\n');
}

function formatCall(call: CallRecord): string {
  const outcome = call.error ? `error: ${call.error}` : call.status !== undefined ? String(call.status) : 'no response';
  const extras = [
    call.stubbed ? 'stubbed, not sent' : call.cached ? 'cached' : `${Math.round(call.ms)} ms`,
    ...(call.saveAs ? [`saved as ${call.saveAs}`] : []),
    ...(call.attempts > 1 ? [`${call.attempts} attempts`] : []),
  ];
  return `${call.method} ${call.url} -> ${outcome} (${extras.join(', ')})`;
}

export { formatCall };

// `liquidhook render FILE`: the rendered body of a webhook file (or a plain Liquid template),
// or the abort_message reason with exit code 3.
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { CONTEXT_HELP } from '../context-input.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../io.js';
import { CONNECTED_CONTENT_HELP, formatLocatedError, formatMessageExtras, RENDER_OPTIONS, renderFileFromArgs } from '../render-run.js';

const HELP = `Usage: liquidhook render FILE [--attrs JSON | --attrs-file PATH | --user ID] [options]

Renders FILE and prints the output. A .webhook.liquid file renders the whole webhook (URL,
headers, body, in one scope) and prints its body; any other file is a Liquid template.
Placeholders are filled from the environment (e.g. SALESFORCE_CLIENT_ID).
An abort_message prints its reason and exits 3. Warnings, and the message_extras pairs a send
would record, go to stderr.

Options:
${CONTEXT_HELP}
${CONNECTED_CONTENT_HELP}
  --json                    {output, aborted?, errors, warnings, connectedContent, messageExtras}
  -h, --help                show this help
`;

export const renderCommand: Command = {
  name: 'render',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv, RENDER_OPTIONS);
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [path, extra] = args.positionals;
    if (path === undefined) throw new UsageError('render needs a template FILE');
    if (extra !== undefined) throw new UsageError(`render takes one FILE (unexpected "${extra}")`);
    const { preview, errors, warnings, code } = await renderFileFromArgs(path, args, io);
    if (args.json) {
      printJson(io, {
        file: path,
        output: errors.length > 0 || preview.aborted ? null : preview.body,
        ...(preview.aborted ? { aborted: preview.aborted } : {}),
        errors,
        warnings,
        connectedContent: preview.connectedContent,
        messageExtras: preview.messageExtras,
      });
      return code;
    }
    for (const warning of warnings) io.err(`warning: ${warning}`);
    for (const error of errors) io.err(formatLocatedError(error));
    if (preview.aborted) io.err(`aborted: ${preview.aborted.reason}`);
    const extras = formatMessageExtras(preview.messageExtras);
    if (extras && code === EXIT.OK) io.err(extras);
    if (code === EXIT.OK) io.out(preview.body);
    return code;
  },
};

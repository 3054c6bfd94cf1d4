// `liquidhook send FILE`: a test send. Renders the webhook for one profile and sends it once
// through the SSRF-guarded dispatcher (no retries, no delivery log), then prints the response.
import { createDispatcher, createGuardedAgent, parseAllowedHosts } from '../../dispatch/index.js';
import { CodedError } from '../../errors/index.js';
import { createLiquid } from '../../liquid/index.js';
import { testSendWebhook, type TestSendOutcome } from '../../render/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { CONTEXT_HELP, CONTEXT_OPTIONS, subjectFromArgs } from '../context-input.js';
import { readCliEnv } from '../env.js';
import { UsageError } from '../errors.js';
import { EXIT, EXIT_CODE_OF } from '../exit-codes.js';
import { printJson } from '../io.js';
import { formatLocatedError, formatMessageExtras, locateProblems } from '../render-run.js';
import { isWebhookFile, loadTemplate } from '../template-input.js';
import { formatCall } from './preview.js';

const HELP = `Usage: liquidhook send FILE.webhook.liquid (--user ID | --attrs JSON | --attrs-file PATH) [options]

Renders the webhook for one profile and sends it once, as the service would (SSRF guard honoring
LIQUIDHOOK_ALLOWED_HOSTS, signing with the secret named by signing_secret_ref, read from the
environment), without retries and without a delivery log entry. Prints the status and the
response body. Exits 1 on a non-2xx response or a network error, 3 when the template aborts.

Options:
${CONTEXT_HELP}
  --timeout-ms N            give up on the response after N ms (default 90000)
  --json                    {sent, aborted?, errors, warnings, connectedContent, messageExtras, result?}
  -h, --help                show this help
`;

export const sendCommand: Command = {
  name: 'send',
  help: HELP,
  async run(argv, io) {
    const args = parseCommandArgs(argv, { ...CONTEXT_OPTIONS, 'timeout-ms': { type: 'string' } });
    if (args.help) {
      io.out(HELP);
      return EXIT.OK;
    }
    const [path, extra] = args.positionals;
    if (path === undefined) throw new UsageError('send needs a .webhook.liquid FILE');
    if (extra !== undefined) throw new UsageError(`send takes one FILE (unexpected "${extra}")`);
    if (!isWebhookFile(path)) throw new UsageError(`send needs a .webhook.liquid file (got ${path})`);
    const timeoutMs = args.number('timeout-ms');
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError('--timeout-ms must be a positive whole number');
    const env = readCliEnv(io);
    const template = await loadTemplate(path, io);
    const subject = await subjectFromArgs(args, env, io, { required: true });
    const ref = template.webhook.signing_secret_ref;
    const signingSecret = ref ? io.env[ref] : undefined;
    if (ref && !signingSecret) throw new CodedError('LH_SIGNING_SECRET_MISSING', `signing secret ${ref} is not configured (set the environment variable ${ref})`);

    const agent = createGuardedAgent({ allowedHosts: parseAllowedHosts(env.allowedHosts) });
    const dispatcher = createDispatcher({ allowedHosts: env.allowedHosts, ...(timeoutMs ? { timeoutMs } : {}) });
    let outcome: TestSendOutcome;
    try {
      outcome = await testSendWebhook(template.webhook, {
        engine: createLiquid({ connectedContent: { dispatcher: agent } }),
        dispatcher,
        context: subject.context,
        secrets: template.secrets,
        ...(signingSecret ? { signingSecret } : {}),
      });
    } finally {
      await dispatcher.close();
      await agent.close();
    }
    const { errors, warnings } = locateProblems(template, outcome);
    const code = outcome.aborted ? EXIT_CODE_OF.LH_RENDER_ABORTED : outcome.sent && outcome.result?.ok ? EXIT.OK : EXIT.FAILED;
    if (args.json) {
      printJson(io, { file: path, externalId: subject.externalId, ...outcome, errors, warnings });
      return code;
    }
    for (const warning of warnings) io.err(`warning: ${warning}`);
    for (const call of outcome.connectedContent) io.err(`connected_content: ${formatCall(call)}`);
    if (outcome.aborted) io.err(`aborted: ${outcome.aborted.reason} (nothing was sent)`);
    const extras = formatMessageExtras(outcome.messageExtras);
    if (extras) io.err(extras);
    for (const error of errors) io.err(formatLocatedError(error));
    const result = outcome.result;
    if (result) {
      const status = result.status !== undefined ? String(result.status) : `${result.error?.kind ?? 'error'}: ${result.error?.message ?? 'no response'}`;
      const line = `${result.request.method} ${result.request.url} -> ${status} (${Math.round(result.latencyMs)} ms)`;
      if (result.ok) io.out(line);
      else io.err(line);
      if (result.body) io.out(result.body + (result.truncated ? '\n[response truncated]' : ''));
    }
    return code;
  },
};

// The command table. Each command's module is imported only when it runs (or its help is
// shown), so `liquidhook lint` does not load the HTTP server and database drivers.
import type { Command } from '../command.js';

export interface CommandEntry {
  name: string;
  /** One line for `liquidhook help`. */
  summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'serve',
    summary: 'Run the API and the webhook delivery worker (configured by environment variables)',
    load: async () => (await import('./serve.js')).serveCommand,
  },
  {
    name: 'render',
    summary: 'Render a template for a profile and print the output (abort reason: exit 3)',
    load: async () => (await import('./render.js')).renderCommand,
  },
  {
    name: 'preview',
    summary: 'Print the full request a webhook would send, secrets redacted',
    load: async () => (await import('./preview.js')).previewCommand,
  },
  {
    name: 'send',
    summary: 'Render a webhook for a profile and send it once (test send)',
    load: async () => (await import('./send.js')).sendCommand,
  },
  {
    name: 'dry-run',
    summary: 'Render a campaign for its whole audience (or a sample) without sending: counts, reasons, examples',
    load: async () => (await import('./dry-run.js')).dryRunCommand,
  },
  {
    name: 'lint',
    summary: 'Check templates: syntax, unsupported filters, unknown attributes, invalid JSON bodies',
    load: async () => (await import('./lint.js')).lintCommand,
  },
  {
    name: 'backtest',
    summary: 'Backtest a lead-scoring program on an NDJSON event history',
    load: async () => (await import('./backtest.js')).backtestCommand,
  },
  {
    name: 'sync',
    summary: 'Run a table sync once and print its report',
    load: async () => (await import('./sync.js')).syncCommand,
  },
  {
    name: 'replay',
    summary: 'Send a delivery again: dead, failed or aborted; delivered with --force',
    load: async () => (await import('./replay.js')).replayCommand,
  },
];

export async function loadCommand(entry: CommandEntry): Promise<Command> {
  return entry.load();
}

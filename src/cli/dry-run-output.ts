// What `liquidhook dry-run` prints: progress while the run goes (a bar with rate and ETA redrawn
// on a terminal, a plain line every few seconds otherwise) and the result, from the same JSON
// shape the API returns (GET /dry-runs/:id) whether the run was local or in a service.
import type { DryRunView } from '../server/schemas/dry-runs.js';
import type { CliIo } from './io.js';

const BAR_WIDTH = 24;
/** Without a terminal, one progress line this often. */
const LINE_EVERY_MS = 5000;

const count = (n: number): string => n.toLocaleString('en-US');

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.ceil(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `[#########---------------]  38%  3,800/10,000 profiles  1,250/s  ETA 5 s` */
export function progressLine(view: DryRunView): string {
  const { phase, done, of, profiles_per_second: rate, eta_seconds: eta } = view.progress;
  const fraction = of > 0 ? Math.min(1, done / of) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const what = phase === 'scanning' ? 'profiles scanned for the sample' : phase === 'rendering' && view.options.sample !== null ? 'sampled users' : 'profiles';
  const parts = [
    `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`,
    `${String(Math.floor(fraction * 100)).padStart(3)}%`,
    `${count(done)}/${count(of)} ${what}`,
    `${count(Math.round(rate))}/s`,
    eta !== null ? `ETA ${duration(eta)}` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

/** Shows progress as views arrive; `end()` clears the redrawn line. */
export function progressReporter(io: CliIo): { show(view: DryRunView): void; end(): void } {
  let lastLine = 0;
  return {
    show(view) {
      if (io.status) {
        io.status(progressLine(view));
        return;
      }
      const now = Date.now();
      if (now - lastLine < LINE_EVERY_MS) return;
      lastLine = now;
      io.err(`dry run ${view.id}: ${progressLine(view).replace(/^\[[#-]+\]\s+/, '')}`);
    },
    end() {
      io.status?.('');
    },
  };
}

const examplesOf = (group: { examples: { external_id: string }[] }): string =>
  group.examples.length > 0 ? `   e.g. ${group.examples.map((e) => e.external_id).join(', ')}` : '';

export function formatResult(view: DryRunView): string {
  const seconds = view.progress.elapsed_ms / 1000;
  const sample = view.options.sample !== null ? `, a sample of ${count(view.options.sample)} (seed ${view.options.seed})` : '';
  const lines = [
    `dry run ${view.id}: ${view.status.replace('_', ' ')} in ${seconds.toFixed(1)} s${view.error ? ` (${view.error})` : ''}`,
    `  ${count(view.in_audience)} of ${count(view.scanned)} profiles in the audience${sample}, ${count(view.rendered)} rendered; nothing was sent`,
    `  would send  ${count(view.would_send.count)}${examplesOf(view.would_send)}`,
    `  aborted     ${count(view.aborted.reduce((n, g) => n + g.count, 0))}`,
    ...view.aborted.map((g) => `    ${count(g.count).padStart(6)}  ${g.reason}${examplesOf(g)}`),
    `  errors      ${count(view.errors.reduce((n, g) => n + g.count, 0))}`,
    ...view.errors.map((g) => `    ${count(g.count).padStart(6)}  ${g.message}${examplesOf(g)}`),
    `  connected_content (${view.options.connected_content}): ${count(view.connected_content.calls)} calls, ${count(view.connected_content.requests)} requests`,
  ];
  const example = view.would_send.examples.find((e) => e.request);
  if (example?.request) {
    const { method, url, headers, body } = example.request;
    lines.push('', `example request (${example.external_id}):`, `  ${method} ${url}`, ...Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`), '', ...body.split('\n').map((l) => `  ${l}`));
  }
  if (view.warnings.length > 0) lines.push('', 'warnings:', ...view.warnings.map((w) => `  ${w}`));
  return lines.join('\n');
}

// The suite's summary: one row per scenario, printed after the suite. Written to the tracked
// bench/reliability-results.json (the figures of bench/README.md) only when asked with
// LIQUIDHOOK_WRITE_RESULTS=1, so a test run leaves the checkout unchanged.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../e2e/helpers.js';

export interface ScenarioRow {
  scenario: string;
  sent: number;
  delivered: number;
  dead: number;
  lost: number;
  duplicates: number;
  /** Time from the start of the scenario (or the destination's return) to the last arrival. */
  lastArrivalMs?: number;
  /** Requests that reached a destination while it was down, after the first ones. */
  probes?: number;
  note?: string;
}

const rows: ScenarioRow[] = [];

export function recordScenario(row: ScenarioRow): void {
  rows.push(row);
}

export function printAndWriteSummary(env: Record<string, string | undefined> = process.env): void {
  const head = ['scenario', 'sent', 'delivered', 'dead', 'lost', 'duplicates', 'last arrival', 'probes'];
  const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
  const cells = rows.map((r) =>
    [r.scenario, r.sent, r.delivered, r.dead, r.lost, r.duplicates, seconds(r.lastArrivalMs), r.probes ?? '-'].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  const text = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), ...rows.filter((r) => r.note).map((r) => `  ${r.scenario}: ${r.note}`)];
  console.log(`\nreliability summary\n${text.join('\n')}\n`);
  if (env.LIQUIDHOOK_WRITE_RESULTS !== '1') return;
  const file = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, scenarios: rows };
  writeFileSync(join(ROOT, 'bench/reliability-results.json'), `${JSON.stringify(file, null, 2)}\n`);
}

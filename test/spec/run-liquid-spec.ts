// `npm run spec`: runs liquid-spec (LIQUID_SPEC_DIR, default ../shared/liquid-spec) against the
// product engine and stock liquidjs. `--files` adds per-file figures, `--verbose` every failure.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COUNTING_RULE, loadSpecDir, runCases, specDirExists, type SpecReport } from './liquid-spec.js';
import { productEngine, stockEngine } from './engines.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const specRoot = resolve(projectRoot, process.env.LIQUID_SPEC_DIR ?? '../shared/liquid-spec');
const DIRS = (process.env.LIQUID_SPEC_DIRS ?? 'basics,liquid_ruby').split(',');
const verbose = process.argv.includes('--verbose');
const perFile = verbose || process.argv.includes('--files');

const runnable = (r: { passed: number; failed: number }): number => r.passed + r.failed;
const pct = (r: SpecReport): string => (runnable(r) ? `${((100 * r.passed) / runnable(r)).toFixed(1)} %` : 'n/a');

function summary(dir: string, mine: SpecReport, stock: SpecReport): string {
  const skips = Object.entries(mine.skippedBy).map(([k, v]) => `${k} ${v}`).join(', ');
  return (
    `${dir}: liquidhook ${mine.passed}/${runnable(mine)} (${pct(mine)}), stock liquidjs ${stock.passed}/${runnable(stock)} ` +
    `(${pct(stock)}); ${mine.skipped} skipped${skips ? ` (${skips})` : ''}`
  );
}

async function main(): Promise<void> {
  if (!specDirExists(specRoot)) {
    console.error(`liquid-spec not found at ${specRoot} (set LIQUID_SPEC_DIR)`);
    process.exit(2);
  }
  const product = await productEngine();
  const lines: string[] = [];
  for (const dir of DIRS) {
    const path = join(specRoot, dir);
    if (!specDirExists(path)) continue;
    const cases = loadSpecDir(path);
    const mine = await runCases(cases, product);
    const stock = await runCases(cases, stockEngine);
    if (perFile) {
      console.log(`== ${dir}`);
      for (const [file, s] of Object.entries(mine.byFile)) {
        const st = stock.byFile[file]!;
        console.log(`  ${file.padEnd(40)} liquidhook ${s.passed}/${runnable(s)}  stock ${st.passed}/${runnable(st)}  skipped ${s.skipped}`);
      }
    }
    if (verbose) {
      for (const r of mine.results) if (r.outcome.status === 'failed') console.log(`  FAIL ${r.id}: ${JSON.stringify(r.outcome.got).slice(0, 200)}`);
    }
    const stockPassed = new Set(stock.results.filter((r) => r.outcome.status === 'passed').map((r) => r.id));
    const lost = mine.results.filter((r) => r.outcome.status === 'failed' && stockPassed.has(r.id));
    lines.push(summary(dir, mine, stock));
    if (lost.length) lines.push(`  lost against stock: ${lost.map((r) => r.id).join(', ')}`);
  }
  console.log(`liquid-spec at ${specRoot}`);
  console.log(`counting rule: ${COUNTING_RULE}`);
  for (const line of lines) console.log(line);
}

await main();

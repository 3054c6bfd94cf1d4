// `npm run spec`: runs liquid-spec (LIQUID_SPEC_DIR, default ../shared/liquid-spec) against the
// product engine and stock liquidjs, printing per-directory and per-file figures.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSpec, specDirExists, type SpecReport } from './liquid-spec.js';
import { productEngine, stockEngine } from './engines.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const specRoot = resolve(projectRoot, process.env.LIQUID_SPEC_DIR ?? '../shared/liquid-spec');
const DIRS = (process.env.LIQUID_SPEC_DIRS ?? 'basics,liquid_ruby').split(',');
const verbose = process.argv.includes('--verbose');

function pct(r: SpecReport): string {
  const runnable = r.passed + r.failed;
  return runnable ? `${((100 * r.passed) / runnable).toFixed(1)}%` : 'n/a';
}

function line(label: string, r: SpecReport): string {
  const skips = Object.entries(r.skippedBy).map(([k, v]) => `${k} ${v}`).join(', ');
  return `${label}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${pct(r)} of runnable)${skips ? ` [skipped: ${skips}]` : ''}`;
}

async function main(): Promise<void> {
  if (!specDirExists(specRoot)) {
    console.error(`liquid-spec not found at ${specRoot} (set LIQUID_SPEC_DIR)`);
    process.exit(2);
  }
  const product = await productEngine();
  const total = { product: { passed: 0, failed: 0, skipped: 0 }, stock: { passed: 0, failed: 0, skipped: 0 } };
  for (const dir of DIRS) {
    const path = join(specRoot, dir);
    if (!specDirExists(path)) continue;
    const mine = await runSpec(path, product);
    const stock = await runSpec(path, stockEngine);
    console.log(`== ${dir}`);
    for (const [file, s] of Object.entries(mine.byFile)) {
      const st = stock.byFile[file];
      console.log(`  ${file.padEnd(40)} product ${s.passed}/${s.passed + s.failed}  stock ${st?.passed}/${(st?.passed ?? 0) + (st?.failed ?? 0)}  skipped ${s.skipped}`);
    }
    console.log(`  ${line('product', mine)}`);
    console.log(`  ${line('stock  ', stock)}`);
    const stockPassed = new Set(stock.results.filter((r) => r.outcome.status === 'passed').map((r) => r.id));
    const lost = mine.results.filter((r) => r.outcome.status === 'failed' && stockPassed.has(r.id));
    if (lost.length) console.log(`  regressions vs stock: ${lost.map((r) => r.id).join(', ')}`);
    if (verbose) {
      for (const r of mine.results) if (r.outcome.status === 'failed') console.log(`  FAIL ${r.id}: ${JSON.stringify(r.outcome.got).slice(0, 200)}`);
    }
    for (const k of ['passed', 'failed', 'skipped'] as const) {
      total.product[k] += mine[k];
      total.stock[k] += stock[k];
    }
  }
  const t = total.stock;
  console.log(`stock liquidjs: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  const p = total.product;
  console.log(`spec: ${p.passed} passed, ${p.failed} failed, ${p.skipped} skipped`);
}

await main();

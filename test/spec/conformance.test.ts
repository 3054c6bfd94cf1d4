// Guards Liquid conformance: the product engine must keep at least the committed number of
// liquid-spec passes and must pass every case stock liquidjs passes.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSpec, specDirExists, type SpecReport } from './liquid-spec.js';
import { productEngine, stockEngine } from './engines.js';

const here = dirname(fileURLToPath(import.meta.url));
const specRoot = resolve(here, '../..', process.env.LIQUID_SPEC_DIR ?? '../shared/liquid-spec');
const floor = JSON.parse(readFileSync(join(here, 'floor.json'), 'utf8')) as Record<string, { passed: number; runnable: number }>;
const available = specDirExists(specRoot);
if (!available) console.warn(`conformance: skipped, liquid-spec not found at ${specRoot} (set LIQUID_SPEC_DIR)`);

function passedIds(report: SpecReport): Set<string> {
  return new Set(report.results.filter((r) => r.outcome.status === 'passed').map((r) => r.id));
}

describe.skipIf(!available)('liquid-spec conformance', () => {
  for (const dir of Object.keys(floor)) {
    it(`${dir}: product keeps its floor and every stock-passing case`, async () => {
      const product = await runSpec(join(specRoot, dir), await productEngine());
      const stock = await runSpec(join(specRoot, dir), stockEngine);
      const mine = passedIds(product);
      const lost = [...passedIds(stock)].filter((id) => !mine.has(id));
      expect(lost).toEqual([]);
      expect(product.passed).toBeGreaterThanOrEqual(floor[dir]!.passed);
      console.log(`${dir}: product ${product.passed}/${product.passed + product.failed}, stock ${stock.passed}/${stock.passed + stock.failed}`);
    });
  }
});

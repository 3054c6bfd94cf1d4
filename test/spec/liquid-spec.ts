// Runs liquid-spec cases against a Liquid engine the way the reference runner does: a parse
// error must come from parsing, a render error from rendering, inline-error cases compare the
// output. Shared by the CLI runner and the conformance test.
import { existsSync, statSync } from 'node:fs';
import { loadSpecDir, type SkipReason, type SpecCase } from './cases.js';

export { COUNTING_RULE, loadSpecDir, type SpecCase, type SkipReason } from './cases.js';

/** Frozen clock of the reference runner (liquid-spec's TEST_TIME, TZ=UTC). */
export const SPEC_TIME = new Date(Date.UTC(2024, 0, 1, 0, 1, 58));

/** What a spec run needs of an engine. */
export interface SpecEngine {
  /** Parses only; throws what the engine reports as a syntax error. */
  parse(template: string): void;
  /**
   * Parses and renders with the case's partials (names as the case spells them); `inline` asks
   * for errors written into the output (the reference runner's render_errors) where supported.
   */
  render(template: string, environment: Record<string, unknown>, files: Record<string, string>, inline: boolean): Promise<string>;
}

export type EngineFactory = (opts: { now: () => Date }) => SpecEngine;

export type Outcome = { status: 'passed' } | { status: 'failed'; got: string } | { status: 'skipped'; reason: SkipReason };

export interface CaseResult {
  id: string;
  outcome: Outcome;
}

export interface SpecReport {
  passed: number;
  failed: number;
  skipped: number;
  skippedBy: Partial<Record<SkipReason, number>>;
  byFile: Record<string, { passed: number; failed: number; skipped: number }>;
  results: CaseResult[];
}

const PASSED: Outcome = { status: 'passed' };

/** Like the reference runner: every pattern must occur in the message, case-insensitively. */
function allMatch(patterns: string[] | undefined, text: string): boolean {
  const lower = text.toLowerCase();
  return (patterns ?? []).every((p) => lower.includes(p.toLowerCase()));
}

function describe(e: unknown): string {
  return `${(e as Error).name}: ${(e as Error).message}`;
}

function compare(spec: SpecCase, output: string): Outcome {
  if (spec.errors.output) return allMatch(spec.errors.output, output) ? PASSED : { status: 'failed', got: output };
  if (spec.expected !== undefined) return output === spec.expected ? PASSED : { status: 'failed', got: output };
  if (spec.expectedPattern) return spec.expectedPattern.test(output) ? PASSED : { status: 'failed', got: output };
  return { status: 'failed', got: `no error; output ${JSON.stringify(output)}` };
}

export async function runCase(engine: SpecEngine, spec: SpecCase): Promise<Outcome> {
  if (spec.skip) return { status: 'skipped', reason: spec.skip };
  try {
    engine.parse(spec.template);
  } catch (e) {
    if (spec.errors.parse_error) return allMatch(spec.errors.parse_error, describe(e)) ? PASSED : { status: 'failed', got: `parse error ${describe(e)}` };
    if (spec.renderErrors) return compare(spec, (e as Error).message);
    return { status: 'failed', got: `parse error ${describe(e)}` };
  }
  if (spec.errors.parse_error) return { status: 'failed', got: 'parsed without error' };
  let output: string;
  try {
    output = await engine.render(spec.template, structuredCloneSafe(spec.environment), spec.files ?? {}, spec.renderErrors);
  } catch (e) {
    if (spec.errors.render_error) return allMatch(spec.errors.render_error, describe(e)) ? PASSED : { status: 'failed', got: `render error ${describe(e)}` };
    return { status: 'failed', got: `render error ${describe(e)}` };
  }
  if (spec.errors.render_error) return { status: 'failed', got: `rendered without error: ${JSON.stringify(output)}` };
  return compare(spec, output);
}

/** Environments are shared between engines; give each render its own copy (cycles kept). */
function structuredCloneSafe<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

export async function runCases(cases: SpecCase[], factory: EngineFactory): Promise<SpecReport> {
  const engine = factory({ now: () => SPEC_TIME });
  const report: SpecReport = { passed: 0, failed: 0, skipped: 0, skippedBy: {}, byFile: {}, results: [] };
  for (const spec of cases) {
    const outcome = await runCase(engine, spec);
    const fileStats = (report.byFile[spec.file] ??= { passed: 0, failed: 0, skipped: 0 });
    report[outcome.status]++;
    fileStats[outcome.status]++;
    if (outcome.status === 'skipped') report.skippedBy[outcome.reason] = (report.skippedBy[outcome.reason] ?? 0) + 1;
    report.results.push({ id: spec.id, outcome });
  }
  return report;
}

export async function runSpec(dir: string, factory: EngineFactory): Promise<SpecReport> {
  return runCases(loadSpecDir(dir), factory);
}

export function specDirExists(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

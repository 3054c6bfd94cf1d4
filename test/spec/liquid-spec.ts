// Runs Shopify's liquid-spec YAML cases against a Liquid engine and classifies every case as
// passed, failed or skipped (with a reason category). Shared by the CLI runner and the
// conformance test.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Frozen clock of the reference runner (liquid-spec's TEST_TIME). */
export const SPEC_TIME = new Date(Date.UTC(2024, 0, 1, 0, 1, 58));

/** What a spec run needs of an engine: render a template source with an environment. */
export interface SpecEngine {
  render(template: string, environment: Record<string, unknown>): Promise<string>;
}

export type EngineFactory = (opts: { now: () => Date }) => SpecEngine;

export interface SpecCase {
  file: string;
  name: string;
  template: string;
  environment: Record<string, unknown>;
  expected?: string;
  expectedPattern?: RegExp;
  errors: Record<string, string[]>;
  skip?: SkipReason;
}

export type SkipReason = 'partials' | 'ruby-objects' | 'inline-errors' | 'resource-limits' | 'unsupported-feature';

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

/** Features our engines cannot provide: Ruby drop classes, Ruby-only types, custom test hooks. */
const RUBY_FEATURES = new Set(['drops', 'ruby_drops', 'ruby_types', 'drop_class_output', 'template_factory', 'binary_data', 'randomness']);
const BINARY_TAG = { tag: '!binary', resolve: (s: string) => ({ __binary: s }) };

function hasRubyObject(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value === 'string') return value.startsWith('instantiate:');
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  if ('__binary' in (value as object)) return true;
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith('instantiate:') || hasRubyObject(inner, seen)) return true;
  }
  return false;
}

const USES_PARTIAL = /(\{%-?|\n)\s*(include|render)\b/;

function classify(raw: Record<string, unknown>, template: string): SkipReason | undefined {
  const features = Array.isArray(raw.features) ? (raw.features as string[]) : [];
  if (raw.filesystem !== undefined || USES_PARTIAL.test(template)) return 'partials';
  if (hasRubyObject(raw.environment) || hasRubyObject(raw.expected) || features.some((f) => RUBY_FEATURES.has(f))) {
    return 'ruby-objects';
  }
  if (raw.render_errors === true || features.includes('inline_errors')) return 'inline-errors';
  if (raw.resource_limits !== undefined) return 'resource-limits';
  if (features.length > 0) return 'unsupported-feature';
  return undefined;
}

/** Ruby regex source → JS RegExp ((?m) in Ruby is JS's dotAll). */
function rubyRegex(source: string): RegExp {
  const dotAll = source.startsWith('(?m)');
  return new RegExp(dotAll ? source.slice(4) : source, dotAll ? 's' : '');
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function loadSpecFile(path: string): SpecCase[] {
  const doc = parseYaml(readFileSync(path, 'utf8'), { customTags: [BINARY_TAG], logLevel: 'silent', maxAliasCount: -1 }) as
    | { specs?: Record<string, unknown>[] }
    | null;
  const file = basename(path);
  return (doc?.specs ?? []).map((raw) => {
    const template = String(raw.template ?? '');
    const errors: Record<string, string[]> = {};
    for (const [kind, patterns] of Object.entries((raw.errors as Record<string, unknown>) ?? {})) errors[kind] = asList(patterns);
    const skip = classify(raw, template);
    return {
      file,
      name: String(raw.name),
      template,
      environment: (raw.environment as Record<string, unknown>) ?? {},
      expected: typeof raw.expected === 'string' ? raw.expected : raw.expected == null ? undefined : String(raw.expected),
      expectedPattern: typeof raw.expected_pattern === 'string' && !skip ? rubyRegex(raw.expected_pattern) : undefined,
      errors,
      skip,
    };
  });
}

export function loadSpecDir(dir: string): SpecCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') && f !== 'suite.yml')
    .sort()
    .flatMap((f) => loadSpecFile(join(dir, f)));
}

/** Like the reference runner: an error passes when every pattern of some expected kind matches. */
function errorMatches(spec: SpecCase, message: string): boolean {
  const text = message.toLowerCase();
  return Object.values(spec.errors).some((patterns) => patterns.length > 0 && patterns.every((p) => text.includes(p.toLowerCase())));
}

export async function runCase(engine: SpecEngine, spec: SpecCase): Promise<Outcome> {
  if (spec.skip) return { status: 'skipped', reason: spec.skip };
  let output: string;
  try {
    output = await engine.render(spec.template, structuredCloneSafe(spec.environment));
  } catch (e) {
    const msg = `${(e as Error).name}: ${(e as Error).message}`;
    return errorMatches(spec, msg) ? { status: 'passed' } : { status: 'failed', got: `error ${msg}` };
  }
  if (spec.expected !== undefined) return output === spec.expected ? { status: 'passed' } : { status: 'failed', got: output };
  if (spec.expectedPattern) return spec.expectedPattern.test(output) ? { status: 'passed' } : { status: 'failed', got: output };
  // Only error expectations, yet rendering succeeded.
  return { status: 'failed', got: `no error; output ${JSON.stringify(output)}` };
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
    report.results.push({ id: `${spec.file}#${spec.name}`, outcome });
  }
  return report;
}

export async function runSpec(dir: string, factory: EngineFactory): Promise<SpecReport> {
  return runCases(loadSpecDir(dir), factory);
}

export function specDirExists(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

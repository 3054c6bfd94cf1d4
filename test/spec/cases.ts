// Loads Shopify liquid-spec YAML files into cases and applies the counting rule: every case is
// run unless it needs Ruby itself (drop classes or other objects built by Ruby code, or data a
// JSON host cannot hold). Both file layouts are read: `specs:` under `_metadata`, and a bare list.
import { readdirSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

/** Why a case is not run; each needs Ruby, not just a Liquid engine. */
export type SkipReason = 'ruby-objects' | 'ruby-data';

export const COUNTING_RULE =
  'every case in the folder is counted (partials from the files each case supplies, inline-error and ' +
  'lax/strict cases included), time frozen at 2024-01-01 00:01:58 UTC; skipped only what needs Ruby: ' +
  'ruby-objects = drop classes and other objects built by Ruby code (instantiate:, template_factory, ' +
  '!binary), ruby-data = Ruby symbols, non-string hash keys or whole floats (0.0) in the data, which JSON ' +
  'values in JS cannot carry';

export interface SpecCase {
  id: string;
  file: string;
  name: string;
  template: string;
  environment: Record<string, unknown>;
  /** Partials by name, as the case supplies them (undefined: no file system at all). */
  files?: Record<string, string>;
  expected?: string;
  expectedPattern?: RegExp;
  /** Expected errors by kind: parse_error, render_error, output (inline error text). */
  errors: Partial<Record<'parse_error' | 'render_error' | 'output', string[]>>;
  /** The reference renders errors into the output instead of raising them. */
  renderErrors: boolean;
  errorMode?: string;
  skip?: SkipReason;
}

/** Features whose cases run Ruby code of the reference runner (drop classes, factories). */
const RUBY_CODE_FEATURES = new Set(['drops', 'ruby_drops', 'drop_class_output', 'template_factory', 'binary_data']);

function hasInstantiate(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value === 'string') return value.startsWith('instantiate:');
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  if ('__binary' in (value as object)) return true;
  for (const [key, inner] of Object.entries(value)) if (key.startsWith('instantiate:') || hasInstantiate(inner, seen)) return true;
  return false;
}

const SYMBOL = /^:[A-Za-z_]\w*[?!]?$/;

/**
 * Data a JSON host cannot hand over as Ruby has it: symbols (`:name`, which Psych loads as
 * Symbol), non-string hash keys, and whole floats (`0.0`), which JSON.parse makes integers.
 */
function hasRubyData(node: unknown, depth = 0): boolean {
  if (depth > 60 || node === null || node === undefined) return false;
  if (isScalar(node)) {
    if (typeof node.value === 'number') return Number.isInteger(node.value) && /[.eE]/.test(node.source ?? '');
    return typeof node.value === 'string' && node.type === 'PLAIN' && SYMBOL.test(node.value);
  }
  if (isSeq(node)) return node.items.some((item) => hasRubyData(item, depth + 1));
  if (isMap(node)) {
    return node.items.some(({ key, value }) => {
      const stringKey = isScalar(key) && typeof key.value === 'string' && !(key.type === 'PLAIN' && SYMBOL.test(key.value));
      return !stringKey || hasRubyData(value, depth + 1);
    });
  }
  return false;
}

function classify(raw: Record<string, unknown>, node: unknown, features: string[]): SkipReason | undefined {
  if (features.some((f) => RUBY_CODE_FEATURES.has(f)) || raw.template_factory !== undefined) return 'ruby-objects';
  if (hasInstantiate(raw.environment) || hasInstantiate(raw.expected)) return 'ruby-objects';
  if (isMap(node) && hasRubyData(node.get('environment', true))) return 'ruby-data';
  return undefined;
}

/** Ruby regex source → JS RegExp: (?m) is JS's dotAll, \A and \z anchor the whole string. */
function rubyRegex(source: string): RegExp {
  const dotAll = source.startsWith('(?m)');
  const body = (dotAll ? source.slice(4) : source).replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  return new RegExp(body, dotAll ? 's' : '');
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

const BINARY_TAG = { tag: '!binary', resolve: (s: string) => ({ __binary: s }) };
/** Psych (YAML 1.1) reads `1,000` and `1,2,3` as integers; the reference runner loads with Psych. */
const PSYCH_COMMA_INT = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^[-+]?[1-9](?:[0-9]|,[0-9])*$/,
  resolve: (s: string) => Number(s.replace(/,/g, '')),
};

export function loadSpecFile(path: string): SpecCase[] {
  const doc = parseDocument(readFileSync(path, 'utf8'), { customTags: [BINARY_TAG, PSYCH_COMMA_INT], logLevel: 'silent' });
  const data = doc.toJS({ maxAliasCount: -1 }) as unknown;
  const meta = (!Array.isArray(data) && (data as { _metadata?: Record<string, unknown> } | null)?._metadata) || {};
  const list = Array.isArray(data) ? data : ((data as { specs?: unknown[] } | null)?.specs ?? []);
  const root = doc.contents;
  const nodes = isSeq(root) ? root.items : isMap(root) && isSeq(root.get('specs', true)) ? (root.get('specs', true) as { items: Node[] }).items : [];
  const file = basename(path);
  return (list as Record<string, unknown>[]).map((raw, index) => {
    const features = [...asList(meta.features), ...asList(raw.features)];
    const errors: SpecCase['errors'] = {};
    for (const [kind, patterns] of Object.entries((raw.errors as Record<string, unknown>) ?? {})) {
      errors[kind as keyof SpecCase['errors']] = asList(patterns);
    }
    const skip = classify(raw, nodes[index], features);
    const name = String(raw.name);
    const expected = raw.expected;
    return {
      id: `${file}#${name}`,
      file,
      name,
      template: String(raw.template ?? ''),
      environment: (raw.environment as Record<string, unknown>) ?? {},
      files: raw.filesystem ? Object.fromEntries(Object.entries(raw.filesystem as object).map(([k, v]) => [k, String(v)])) : undefined,
      expected: typeof expected === 'string' ? expected : expected == null ? undefined : String(expected),
      expectedPattern: typeof raw.expected_pattern === 'string' ? rubyRegex(raw.expected_pattern) : undefined,
      errors,
      renderErrors: (raw.render_errors ?? meta.render_errors) === true,
      errorMode: raw.error_mode === undefined ? undefined : String(raw.error_mode).replace(/^:/, ''),
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

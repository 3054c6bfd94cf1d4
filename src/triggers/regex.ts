// Regular expressions of audience and property filters run over ingested values, so they run on
// re2js (a JavaScript port of RE2): matching time is linear in the value, whatever the pattern.
// A backtracking engine takes seconds, doubling per character, for `^(a+)+$` against "aaa…!".
// RE2 has no backreferences or lookaround; a pattern that needs them is refused when saved.
import { RE2JS } from 're2js';

export type CompiledRegex = RE2JS;

export type RegexCompilation = { ok: true; regex: CompiledRegex } | { ok: false; reason: string };

// Campaigns and programs hold few distinct patterns; compiling one costs far more than a match.
const CACHE_SIZE = 1000;
const cache = new Map<string, RegexCompilation>();

/**
 * Compiles a filter pattern written in JavaScript syntax (as before: `\d`, `\u00e9`, `(?<n>…)`)
 * for the linear-time engine. Never throws: a pattern the engine refuses comes back with why.
 */
export function compileFilterRegex(pattern: string): RegexCompilation {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let compiled: RegexCompilation;
  try {
    compiled = { ok: true, regex: RE2JS.compile(RE2JS.translateRegExp(pattern)) };
  } catch (error) {
    compiled = { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(pattern, compiled);
  return compiled;
}

/** Does the pattern match anywhere in the value (like RegExp#test)? A refused pattern matches nothing. */
export function regexMatches(pattern: string, value: string): boolean {
  const compiled = compileFilterRegex(pattern);
  return compiled.ok && compiled.regex.test(value);
}

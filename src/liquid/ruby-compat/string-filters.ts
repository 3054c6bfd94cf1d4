// Ruby's string filters read their input (and their text arguments) through Utils.to_s, so a
// hash arrives as `{"a"=>1}` and an array as `["a", "b"]`, where liquidjs would print
// "[object Object]" or join the array; and a filter called without its required arguments
// fails as the Ruby method does. The registered filters are wrapped, whichever they are.
import { toValue, type FilterImplOptions, type Liquid } from 'liquidjs';
import { toS } from './to-s.js';

const isNil = (v: unknown): boolean => {
  const value = toValue(v);
  return value === undefined || value === null;
};

/** Filter name → positions of its text arguments (after the input). */
const STRING_FILTERS: Record<string, number[]> = {
  append: [0],
  prepend: [0],
  capitalize: [],
  downcase: [],
  upcase: [],
  escape: [],
  escape_once: [],
  lstrip: [],
  rstrip: [],
  strip: [],
  strip_html: [],
  strip_newlines: [],
  newline_to_br: [],
  squish: [],
  replace: [0, 1],
  replace_first: [0, 1],
  replace_last: [0, 1],
  remove: [0],
  remove_first: [0],
  remove_last: [0],
  truncate: [1],
  truncatewords: [1],
  url_encode: [],
  url_decode: [],
  split: [],
  base64_encode: [],
  base64_decode: [],
  base64_url_safe_encode: [],
  base64_url_safe_decode: [],
};

type Handler = (this: unknown, ...args: unknown[]) => unknown;

function handlerOf(impl: FilterImplOptions): Handler {
  return (typeof impl === 'function' ? impl : impl.handler) as Handler;
}

function withTextInput(impl: FilterImplOptions, textArgs: number[]): FilterImplOptions {
  const handler = handlerOf(impl);
  const wrapped: Handler = function (input, ...args) {
    for (const i of textArgs) if (i < args.length && !isNil(args[i])) args[i] = toS(args[i]);
    return handler.call(this, isNil(input) ? undefined : toS(input), ...args);
  };
  return typeof impl === 'function' ? wrapped : { ...impl, handler: wrapped };
}

/** Filters whose Ruby method has required arguments (after the input): calling without them fails. */
const REQUIRED_ARGUMENTS: Record<string, number> = {
  append: 1,
  prepend: 1,
  split: 1,
  remove: 1,
  remove_first: 1,
  remove_last: 1,
  replace: 1,
  replace_first: 1,
  replace_last: 1,
  plus: 1,
  minus: 1,
  times: 1,
  divided_by: 1,
  modulo: 1,
  at_least: 1,
  at_most: 1,
  slice: 1,
  map: 1,
  where: 1,
};

function withArity(impl: FilterImplOptions, required: number): FilterImplOptions {
  const handler = handlerOf(impl);
  const wrapped: Handler = function (input, ...args) {
    if (args.length < required) throw new Error(`wrong number of arguments (given ${args.length + 1}, expected ${required + 1})`);
    return handler.call(this, input, ...args);
  };
  return typeof impl === 'function' ? wrapped : { ...impl, handler: wrapped };
}

/** Ruby's gsub/sub with an empty pattern match before every character and at the end. */
const emptyPattern: Record<string, (text: string, replacement: string) => string> = {
  replace: (text, replacement) => replacement + Array.from(text).join(replacement) + (text === '' ? '' : replacement),
  replace_first: (text, replacement) => replacement + text,
};

/** Wraps the engine's string filters (liquidjs's or Braze's) so they see Ruby's to_s. */
export function registerStringInputs(liquid: Liquid): void {
  for (const [name, fill] of Object.entries(emptyPattern)) {
    const impl = liquid.filters[name];
    if (!impl) continue;
    const handler = handlerOf(impl);
    liquid.registerFilter(name, function (this: unknown, input: unknown, pattern: unknown, replacement: unknown) {
      if (toS(pattern) !== '' || isNil(input)) return handler.call(this, input, pattern, replacement);
      return fill(toS(input), toS(replacement));
    });
  }
  for (const [name, textArgs] of Object.entries(STRING_FILTERS)) {
    const impl = liquid.filters[name];
    if (impl) liquid.registerFilter(name, withTextInput(impl, textArgs));
  }
  // Ruby's alias of escape.
  if (liquid.filters.escape) liquid.registerFilter('h', liquid.filters.escape);
  for (const [name, required] of Object.entries(REQUIRED_ARGUMENTS)) {
    const impl = liquid.filters[name];
    if (impl) liquid.registerFilter(name, withArity(impl, required));
  }
}

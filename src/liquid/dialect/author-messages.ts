// Parse errors in the author's words. liquidjs words its errors for the (rewritten) source it
// parsed: it quotes internal names (`custom_attribute["lead score"]` for
// `custom_attribute.${lead score}`), quotes up to 32 characters of whatever follows a
// delimiter, and describes symptoms (`expected "|" before filter`) rather than the typo. These
// messages quote only the tag or output as the author wrote it, shortened to one line.

/** Block tags and the tag that closes them. */
const END_TAGS: Readonly<Record<string, string>> = {
  if: 'endif',
  unless: 'endunless',
  case: 'endcase',
  for: 'endfor',
  tablerow: 'endtablerow',
  capture: 'endcapture',
  comment: 'endcomment',
  raw: 'endraw',
};

/** Tags that only make sense inside a block. */
const BRANCH_TAGS: Readonly<Record<string, string>> = {
  else: 'an {% if %}, {% unless %}, {% case %} or {% for %}',
  elsif: 'an {% if %}',
  when: 'a {% case %}',
  break: 'a {% for %}',
  continue: 'a {% for %}',
};

const MAX_EXCERPT = 60;

/** The author's text from `start` to `end` (at most to the end of its line), whitespace collapsed, shortened. */
export function excerpt(original: string, start: number, end = original.length): string {
  const lineEnd = original.indexOf('\n', start);
  const stop = Math.min(end, lineEnd < 0 ? original.length : lineEnd);
  const text = original.slice(start, stop).replace(/\s+/g, ' ').trimEnd();
  if (text.length > MAX_EXCERPT) return `${text.slice(0, MAX_EXCERPT - 1)}…`;
  return stop < end && original.slice(stop, end).trim() !== '' ? `${text}…` : text;
}

/** An unclosed delimiter is quoted up to the end of its line (or the next tag): what follows is not part of it. */
function lineFrom(original: string, start: number, stop = original.length): string {
  const lineEnd = original.indexOf('\n', start);
  return excerpt(original, start, Math.min(stop, lineEnd < 0 ? original.length : lineEnd));
}

export function unclosedTag(original: string, start: number): string {
  const nested = original.indexOf('{%', start + 2);
  return `tag "${lineFrom(original, start, nested < 0 ? undefined : nested)}" is not closed with "%}"`;
}

export function unclosedOutput(original: string, start: number): string {
  return `output "${lineFrom(original, start)}" is not closed with "}}"`;
}

/** A span of the original template: the token liquidjs complained about. */
export interface Span {
  start: number;
  end: number;
}

const TAG_NAME = /^\{%-?\s*(#|[\w-]+)/;

/** liquidjs's message about the token at `span`, reworded for the author. */
export function authorParseMessage(message: string, original: string, at: Span | undefined): string {
  if (!at) return message;
  const span = enclosingToken(original, at);
  const token = excerpt(original, span.start, span.end);
  const name = TAG_NAME.exec(original.slice(span.start, span.start + 80))?.[1] ?? '';
  // Our own tags (connected_content, abort_message) already word their errors.
  if (name && message.startsWith(`${name}:`)) return message;
  const missing = /^tag "(.+)" not found$/.exec(message);
  if (missing) return strayTag(missing[1]!, original, span.start);
  if (/^tag .* not closed$/.test(message)) {
    return END_TAGS[name] ? `${token} is not closed with {% ${END_TAGS[name]} %}` : unclosedTag(original, span.start);
  }
  if (/^output .* not closed$/.test(message)) return unclosedOutput(original, span.start);
  if (/^raw .* not closed$/.test(message)) return '{% raw %} is not closed with {% endraw %}';
  const reworded = REWORDINGS.find(([pattern]) => pattern.test(message));
  if (reworded) return `${token}: ${message.replace(reworded[0], reworded[1] as string)}`;
  return `${token}: ${message}`;
}

type Rewording = string | ((match: string, ...groups: string[]) => string);

const REWORDINGS: ReadonlyArray<[RegExp, Rewording]> = [
  [/^illegal tag: .*$/s, 'expected {% for item in collection %}'],
  [/^expected variable name$/, 'a variable name is missing (assign name = value)'],
  [/^expected "="$/, '"=" is missing (assign name = value)'],
  [/^invalid capture name$/, 'a variable name is missing (capture name)'],
  [/^invalid value expression: ""$/, 'a value is missing'],
  [/^unexpected token "(.*)", value expected$/, 'a value is missing before "$1"'],
  [/^expected "\|" before filter$/, 'unexpected text after the value (filters start with "|")'],
  [/^expected ":" after filter name$/, 'a filter\'s arguments start with ":"'],
  [/^expected filter name$/, 'a filter name is missing after "|"'],
  [/^\[ not closed$/, '"[" is not closed with "]"'],
  [/^(unbalanced parentheses|invalid range syntax)$/, 'invalid range syntax; write (first..last)'],
  [/^unexpected character ("(?:[^"\\]|\\.)*")$/, (_m: string, quoted: string) => `unexpected ${JSON.parse(quoted) as string}`],
  [/^duplicated else$/, 'a second {% else %}'],
  [/^unexpected elsif after else$/, '{% elsif %} after {% else %}'],
];

/** An end or branch tag with nothing to end, or a tag nobody defines. */
function strayTag(name: string, original: string, offset: number): string {
  const opens = Object.entries(END_TAGS).find(([, end]) => end === name)?.[0];
  if (opens) {
    const open = innermostOpenBlock(original, offset);
    return open
      ? `{% ${name} %} does not close "${excerpt(original, open.start, open.end)}" (that needs {% ${END_TAGS[open.name]} %})`
      : `{% ${name} %} has no {% ${opens} %} to close`;
  }
  if (BRANCH_TAGS[name]) return `{% ${name} %} is only allowed inside ${BRANCH_TAGS[name]}`;
  return `unknown tag "${name}"`;
}

const ANY_TAG = /\{%-?\s*([\w-]+)[^]*?%\}/g;

/** The block still open at `offset`, scanning the tags before it (raw and comment bodies skipped). */
function innermostOpenBlock(original: string, offset: number): { name: string; start: number; end: number } | undefined {
  const open: { name: string; start: number; end: number }[] = [];
  let skipUntil: string | undefined;
  ANY_TAG.lastIndex = 0;
  for (let m = ANY_TAG.exec(original); m && m.index < offset; m = ANY_TAG.exec(original)) {
    const name = m[1]!;
    if (skipUntil) {
      if (name === skipUntil) skipUntil = undefined;
      continue;
    }
    if (END_TAGS[name]) {
      if (name === 'raw' || name === 'comment') skipUntil = END_TAGS[name];
      else open.push({ name, start: m.index, end: m.index + m[0].length });
    } else if (open.length > 0 && END_TAGS[open[open.length - 1]!.name] === name) open.pop();
  }
  return open.pop();
}

/**
 * The tag or output around `span`: liquidjs reports errors inside markup (a missing variable
 * name, an unclosed `[`) at an inner token, but the message should show the whole tag.
 */
function enclosingToken(original: string, span: Span): Span {
  if (original.startsWith('{%', span.start) || original.startsWith('{{', span.start)) return span;
  const tag = original.lastIndexOf('{%', span.start);
  const output = original.lastIndexOf('{{', span.start);
  const start = Math.max(tag, output);
  if (start < 0) return span;
  const close = original.indexOf(start === tag ? '%}' : '}}', start + 2);
  const end = close < 0 ? original.length : close + 2;
  return end >= span.end ? { start, end } : span;
}

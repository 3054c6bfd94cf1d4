// Ruby Liquid reads the bodies of `comment`, `doc` and `raw` with its own tokenizer (a tag runs
// from `{%` to the first `%}`), so anything may stand in them: `{%%}`, an unclosed `{% if`,
// nested comments. Before liquidjs tokenizes the source, comment and doc regions become one
// empty inline comment, and raw keeps its body verbatim (whitespace control trims only outside
// it). Every rewrite keeps the length and the line breaks, so positions stay where they were.

const TAG_NAME = /^\{%-?\s*(\w+)/;
const HINT = /\{%-?\s*(?:comment|doc|raw)\b|\|\|/;

interface TagSpan {
  begin: number;
  end: number;
  text: string;
}

/** The next `{% … %}` at or after `from`, skipping `{{ … }}` outputs. */
function nextTag(source: string, from: number): TagSpan | undefined {
  let i = from;
  while (i < source.length) {
    const tag = source.indexOf('{%', i);
    if (tag < 0) return undefined;
    const output = source.indexOf('{{', i);
    if (output >= 0 && output < tag) {
      const close = source.indexOf('}}', output + 2);
      if (close < 0) return undefined;
      i = close + 2;
      continue;
    }
    const close = source.indexOf('%}', tag + 2);
    if (close < 0) return undefined;
    return { begin: tag, end: close + 2, text: source.slice(tag, close + 2) };
  }
  return undefined;
}

const firstName = (text: string): string | undefined => TAG_NAME.exec(text)?.[1];

/** Ruby's FullTokenPossiblyInvalid: the name after the last `{%` of the token. */
const lastName = (text: string): string | undefined => firstName(text.slice(text.lastIndexOf('{%')));

/** The tag span closing a block opened at `open`, or undefined when it is never closed. */
function closing(source: string, open: TagSpan, name: string): TagSpan | undefined {
  let depth = 1;
  for (let tag = nextTag(source, open.end); tag; tag = nextTag(source, tag.end)) {
    if (name === 'comment') {
      const inner = firstName(tag.text);
      // A raw inside a comment hides its end tags too.
      if (inner === 'raw') {
        const raw = closing(source, tag, 'raw');
        if (!raw) return undefined;
        tag = raw;
      } else if (inner === 'comment') depth++;
      else if (inner === 'endcomment' && --depth === 0) return tag;
    } else if (lastName(tag.text) === `end${name}`) {
      return tag;
    }
  }
  return undefined;
}

/** `{%-#   %}`: an empty inline comment as long as the region, line breaks kept. */
function emptyComment(region: string, trimLeft: boolean, trimRight: boolean): string {
  const head = trimLeft ? '{%-#' : '{%#';
  const tail = trimRight ? '-%}' : '%}';
  const middle = region.slice(head.length, region.length - tail.length).replace(/[^\n]/g, ' ');
  return head + middle + tail;
}

/** Lax Ruby reads `{{ x || upcase }}` as `{{ x | upcase }}` (an empty filter is skipped). */
function laxFilterBars(source: string): string {
  return source.replace(/\{\{[^]*?\}\}/g, (output) =>
    output.replace(/("[^"]*"|'[^']*')|\|\|/g, (match, quoted: string | undefined) => quoted ?? '| '),
  );
}

export function rubySource(raw: string): string {
  if (!HINT.test(raw)) return raw;
  const source = raw.includes('||') ? laxFilterBars(raw) : raw;
  let out = '';
  let copied = 0;
  for (let tag = nextTag(source, 0); tag; ) {
    const name = firstName(tag.text);
    const end = name === 'comment' || name === 'doc' || name === 'raw' ? closing(source, tag, name) : undefined;
    if (!end) {
      tag = nextTag(source, tag.end);
      continue;
    }
    out += source.slice(copied, tag.begin);
    if (name === 'raw') {
      // The body stays as written: drop the trims that would reach into it.
      out += tag.text.replace(/-%\}$/, ' %}') + source.slice(tag.end, end.begin) + end.text.replace(/^\{%-/, '{% ');
    } else {
      out += emptyComment(source.slice(tag.begin, end.end), tag.text.startsWith('{%-'), end.text.endsWith('-%}'));
    }
    copied = end.end;
    tag = nextTag(source, end.end);
  }
  return out + source.slice(copied);
}

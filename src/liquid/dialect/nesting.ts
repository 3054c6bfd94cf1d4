// A cheap scan of a (rewritten) template that finds nesting liquidjs would only discover by
// recursing: blocks inside blocks (`if`, `for`, `capture`, `liquid`, …) and brackets inside an
// expression (`a[b[c[…]]]`). liquidjs parses both recursively, so a template nested a few thousand
// levels deep exhausts the call stack; this scan rejects it first. It follows liquidjs's tokenizer:
// a tag ends at the first `%}`, an output at the first `}}` outside quotes, `raw` content is text,
// and tokens inside `comment` or `raw` are not parsed.

/** Tags whose content liquidjs parses as nested templates (closed by `end<name>`). */
export const BLOCK_TAGS: ReadonlySet<string> = new Set(['if', 'unless', 'case', 'for', 'tablerow', 'capture', 'comment', 'raw', 'block']);

/** Tags whose content is skipped up to their end tag. */
const OPAQUE_TAGS: Readonly<Record<string, string>> = { comment: 'endcomment', raw: 'endraw' };

export interface NestingViolation {
  kind: 'block' | 'expression';
  /** Offset in the scanned source of the tag or bracket that went one level too deep. */
  offset: number;
}

const TAG_NAME = /^\s*(#|[\w-]+)/;
const RAW_END = /\{%-?\s*endraw\b/g;

/** The first place where nesting exceeds `maxDepth`, or undefined when it never does. */
export function findExcessNesting(source: string, maxDepth: number): NestingViolation | undefined {
  return new NestingScan(source, maxDepth).run();
}

class NestingScan {
  private depth = 0;
  /** End tag that closes the `comment`/`raw` whose content is being skipped. */
  private skipUntil: string | undefined;

  constructor(
    private readonly src: string,
    private readonly maxDepth: number,
  ) {}

  run(): NestingViolation | undefined {
    const src = this.src;
    let i = 0;
    // Next delimiters are remembered so a template of only outputs (or only tags) stays linear.
    let tag = -1;
    let out = -1;
    while (i < src.length) {
      if (tag < i) tag = indexOrNone(src, '{%', i);
      if (out < i) out = indexOrNone(src, '{{', i);
      if (tag === NONE && out === NONE) return undefined;
      if (out < tag) {
        const close = outputEnd(src, out + 2);
        if (close < 0) return undefined; // unclosed: liquidjs reports it
        const excess = this.skipUntil ? undefined : this.expression(out + 2, close);
        if (excess) return excess;
        i = close + 2;
        continue;
      }
      const close = src.indexOf('%}', tag + 2);
      if (close < 0) return undefined;
      const markupStart = src[tag + 2] === '-' ? tag + 3 : tag + 2;
      const excess = this.tag(tag, markupStart, close);
      if (excess) return excess;
      i = close + 2;
      if (tagName(src, markupStart, close) === 'raw') {
        // liquidjs reads everything up to `{% endraw` as text, even inside a comment.
        RAW_END.lastIndex = i;
        const end = RAW_END.exec(src);
        if (!end) return undefined;
        i = end.index;
      }
    }
    return undefined;
  }

  /** One tag whose markup spans [markupStart, end); `offset` is where it starts. */
  private tag(offset: number, markupStart: number, end: number): NestingViolation | undefined {
    const name = tagName(this.src, markupStart, end);
    if (this.skipUntil) {
      if (name === this.skipUntil) this.close();
      return undefined;
    }
    if (name === '#') return undefined;
    const argsStart = this.src.indexOf(name, markupStart) + name.length;
    if (name === 'liquid') return this.liquidTag(offset, argsStart, end);
    if (BLOCK_TAGS.has(name)) {
      if (++this.depth > this.maxDepth) return { kind: 'block', offset };
      this.skipUntil = OPAQUE_TAGS[name];
      if (this.skipUntil) return undefined;
    } else if (name.startsWith('end') && BLOCK_TAGS.has(name.slice(3))) {
      this.close();
      return undefined;
    }
    return this.expression(argsStart, end);
  }

  /** `{% liquid %}`: one nested level whose lines are tags; blocks must close inside it. */
  private liquidTag(offset: number, from: number, end: number): NestingViolation | undefined {
    const outer = { depth: this.depth, skipUntil: this.skipUntil };
    if (++this.depth > this.maxDepth) return { kind: 'block', offset };
    let excess: NestingViolation | undefined;
    for (let line = from; line < end && !excess; ) {
      const lineEnd = Math.min(end, nextNewline(this.src, line));
      let start = line;
      while (start < lineEnd && /\s/.test(this.src[start]!)) start++;
      // `liquid liquid … tag` nests one level per word, closed at the end of the line.
      const lineState = { depth: this.depth, skipUntil: this.skipUntil };
      let nested = false;
      while (start < lineEnd && !excess && tagName(this.src, start, lineEnd) === 'liquid' && !this.skipUntil) {
        excess = ++this.depth > this.maxDepth ? { kind: 'block', offset: start } : undefined;
        nested = true;
        start += 'liquid'.length;
        while (start < lineEnd && /\s/.test(this.src[start]!)) start++;
      }
      if (!excess && start < lineEnd) excess = this.tag(start, start, lineEnd);
      if (nested) {
        this.depth = lineState.depth;
        this.skipUntil = lineState.skipUntil;
      }
      line = lineEnd + 1;
    }
    this.depth = outer.depth;
    this.skipUntil = outer.skipUntil;
    return excess;
  }

  private close(): void {
    this.skipUntil = undefined;
    this.depth = Math.max(0, this.depth - 1);
  }

  /** Bracket and parenthesis depth of expression markup in [from, end), outside quotes. */
  private expression(from: number, end: number): NestingViolation | undefined {
    const src = this.src;
    let depth = 0;
    for (let i = from; i < end; i++) {
      const c = src.charCodeAt(i);
      if (c === 0x22 || c === 0x27) {
        const quote = src.indexOf(src[i]!, i + 1);
        if (quote < 0 || quote >= end) return undefined;
        i = quote;
      } else if (c === 0x5b || c === 0x28) {
        if (++depth > this.maxDepth) return { kind: 'expression', offset: i };
      } else if ((c === 0x5d || c === 0x29) && depth > 0) depth--;
    }
    return undefined;
  }
}

const NONE = Number.POSITIVE_INFINITY;

function indexOrNone(src: string, needle: string, from: number): number {
  const at = src.indexOf(needle, from);
  return at < 0 ? NONE : at;
}

function tagName(src: string, from: number, end: number): string {
  return TAG_NAME.exec(src.slice(from, Math.min(end, from + 64)))?.[1] ?? '';
}

function nextNewline(src: string, from: number): number {
  const at = src.indexOf('\n', from);
  return at < 0 ? src.length : at;
}

/** Offset of the `}}` that closes an output whose markup starts at `from` (quotes respected). */
function outputEnd(src: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '"' || c === "'") {
      const quote = src.indexOf(c, i + 1);
      if (quote < 0) return -1;
      i = quote;
    } else if (c === '}' && src[i + 1] === '}') return i;
  }
  return -1;
}

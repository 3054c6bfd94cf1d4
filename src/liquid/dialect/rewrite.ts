// Rewrites Braze's Liquid dialect into standard Liquid before liquidjs parses it:
//   - `${name}` attribute references become plain lookups (`{{${first_name}}}` → `{{first_name}}`,
//     `custom_attribute.${lead score}` → `custom_attribute["lead score"]`, `${address.city}` →
//     `address.city`); `${name}[0]` reads an object attribute as itself (see BrazeContext);
//   - `&&` / `||` in `if`, `elsif` and `unless` conditions become `and` / `or`, as Braze's lax
//     parser reads them;
//   - `{{ ... }}` nested inside tag markup or filter arguments loses its braces
//     (`{% if {{x}} == 1 %}` → `{% if   x   == 1 %}`), except inside `connected_content` and
//     `message_extras`, whose markup is itself a template the tag renders.
// Only Liquid markup is touched: plain text, `{% raw %}`, comments and quoted strings are kept.
// Every edit is recorded in a SourceMap so errors point at the text the user wrote.
import { LimitError } from '../errors.js';
import { unclosedOutput, unclosedTag } from './author-messages.js';
import { CONTENT_BLOCK_TAG, contentBlockAt, parseReference, type AttributeReference, type ContentBlockReference } from './references.js';
import { SourceMap } from './source-map.js';

export type { AttributeReference, ContentBlockReference } from './references.js';

/** Something liquidjs would misread: said here in the author's terms, at the author's position. */
export interface SyntaxProblem {
  /** Offset in the original template. */
  offset: number;
  message: string;
}

export interface RewrittenTemplate {
  source: string;
  map: SourceMap;
  attributes: AttributeReference[];
  /** Unclosed delimiters, in the order met; the engine reports the first as a parse error. */
  problems: SyntaxProblem[];
  /** `{{content_blocks.${name}}}` inclusions, in the order met. */
  contentBlocks: ContentBlockReference[];
}

const RAW_END = /\{%-?\s*endraw\s*-?%\}/g;
const DOC_END = /\{%-?\s*enddoc\b[\s\S]*?%\}/g;
const COMMENT_TAG = /^\{%-?\s*(comment|endcomment)\b/;

/** `template`: markup the tag renders as a template itself (its `{{ }}` stay). */
type MarkupMode = 'liquid' | 'template';

/** Tags whose markup holds templates: `{{key}}` there is an output, not a bare lookup. */
const TEMPLATE_MARKUP_TAGS = new Set(['connected_content', 'message_extras']);

/** Tags whose markup is a condition, where Braze reads `&&` and `||` as `and` and `or`. */
const CONDITION_TAGS = new Set(['if', 'elsif', 'unless']);

/**
 * `maxNesting` bounds `{{ }}` nested inside markup (rewritten recursively); deeper nesting raises
 * a LimitError instead of exhausting the call stack.
 */
export function rewriteBrazeSyntax(original: string, maxNesting = Infinity): RewrittenTemplate {
  return new Rewriter(original, maxNesting).run();
}

/** The `{{content_blocks.${name}}}` inclusions of a template, with their offsets. */
export function contentBlockReferences(template: string): ContentBlockReference[] {
  return rewriteBrazeSyntax(template).contentBlocks;
}

class Rewriter {
  private readonly parts: string[] = [];
  private generatedLength = 0;
  private readonly map: SourceMap;
  private readonly attributes: AttributeReference[] = [];
  private readonly problems: SyntaxProblem[] = [];
  private readonly contentBlocks: ContentBlockReference[] = [];
  private nesting = 0;
  /** Start of the tag whose markup is being rewritten (-1 in an output), and whether it is a condition. */
  private tagStart = -1;
  private condition = false;

  constructor(
    private readonly src: string,
    private readonly maxNesting: number,
  ) {
    this.map = new SourceMap(src);
  }

  run(): RewrittenTemplate {
    let i = 0;
    const n = this.src.length;
    while (i < n) {
      const next = this.nextDelimiter(i);
      if (next < 0) {
        this.copy(i, n);
        break;
      }
      this.copy(i, next);
      i = this.src.startsWith('{%', next) ? this.tag(next) : this.output(next);
    }
    return { source: this.parts.join(''), map: this.map, attributes: this.attributes, problems: this.problems, contentBlocks: this.contentBlocks };
  }

  private nextDelimiter(from: number): number {
    const tag = this.src.indexOf('{%', from);
    const out = this.src.indexOf('{{', from);
    if (tag < 0) return out;
    if (out < 0) return tag;
    return Math.min(tag, out);
  }

  /** `{% ... %}` starting at `start`; returns the offset after it. */
  private tag(start: number): number {
    const close = this.src.indexOf('%}', start + 2);
    if (close < 0) {
      this.problem(start, unclosedTag(this.src, start));
      return this.copyRest(start);
    }
    let markupStart = start + 2;
    if (this.src[markupStart] === '-') markupStart++;
    const name = /^\s*(#|[\w-]+)/.exec(this.src.slice(markupStart, close))?.[1] ?? '';
    const end = close + 2;
    if (name === 'raw') return this.copyThrough(start, RAW_END, end, 'raw');
    // A doc body is not Liquid (Ruby skips it whole, unclosed tags and raw included).
    if (name === 'doc') return this.copyThrough(start, DOC_END, end, 'doc');
    if (name === 'comment') return this.copyComment(start, end);
    if (name === '#') {
      this.copy(start, end);
      return end;
    }
    this.copy(start, markupStart);
    const mode: MarkupMode = TEMPLATE_MARKUP_TAGS.has(name) ? 'template' : 'liquid';
    this.tagStart = start;
    this.condition = CONDITION_TAGS.has(name);
    this.markup(markupStart, close, false, mode);
    this.tagStart = -1;
    this.condition = false;
    this.copy(close, end);
    return end;
  }

  /** `{{ ... }}` starting at `start`, possibly with nested `{{ }}` in filter arguments. */
  private output(start: number): number {
    const block = contentBlockAt(this.src, start);
    if (block === 'filtered') this.problem(start, 'a content block is included as {{content_blocks.${name}}}, without filters (capture it to filter it)');
    else if (block) {
      this.contentBlocks.push(block);
      this.replace(start, block.end, `{%${block.trimLeft ? '-' : ''} ${CONTENT_BLOCK_TAG} ${JSON.stringify(block.name)} ${block.trimRight ? '-' : ''}%}`);
      return block.end;
    }
    this.copy(start, start + 2);
    const stop = this.markup(start + 2, this.src.length, true, 'liquid');
    if (stop >= this.src.length) {
      this.problem(start, unclosedOutput(this.src, start));
      return stop;
    }
    this.copy(stop, stop + 2);
    return stop + 2;
  }

  /**
   * Rewrites markup from `from` up to `limit` (or the first top-level `}}` when `stopAtBraces`).
   * Returns the offset where it stopped. Text is copied lazily in segments.
   */
  private markup(from: number, limit: number, stopAtBraces: boolean, mode: MarkupMode): number {
    const src = this.src;
    let i = from;
    let segment = from;
    while (i < limit) {
      const c = src[i];
      if ((c === '"' || c === "'") && mode === 'liquid') {
        const closeQuote = src.indexOf(c, i + 1);
        if (closeQuote < 0 || closeQuote >= limit) break;
        i = closeQuote + 1;
        continue;
      }
      if (c === '$' && src[i + 1] === '{' && mode === 'liquid') {
        const after = this.attribute(i, limit, segment);
        if (after > 0) {
          i = segment = after;
          continue;
        }
      }
      if (c === '{' && src[i + 1] === '{') {
        this.copy(segment, i);
        i = segment = this.nestedOutput(i, limit, mode);
        continue;
      }
      // liquidjs ends a tag at the first `%}`: a `{%` inside means this tag's `%}` is missing.
      if (c === '{' && src[i + 1] === '%' && this.tagStart >= 0) this.problem(this.tagStart, unclosedTag(src, this.tagStart));
      if (this.condition && (c === '&' || c === '|') && src[i + 1] === c) {
        this.copy(segment, i);
        this.replace(i, i + 2, c === '&' ? ' and ' : ' or ');
        i = segment = i + 2;
        continue;
      }
      if (stopAtBraces && c === '}' && src[i + 1] === '}') {
        this.copy(segment, i);
        return i;
      }
      i++;
    }
    this.copy(segment, limit);
    return limit;
  }

  /** Nested `{{ inner }}` inside markup: braces become spaces, or stay in template markup. */
  private nestedOutput(start: number, limit: number, mode: MarkupMode): number {
    if (++this.nesting > this.maxNesting) {
      const { line, column } = this.map.positionOf(start);
      throw new LimitError('nestingDepth', `expression nesting deeper than ${this.maxNesting} levels`, line, column);
    }
    try {
      return this.nestedOutputBody(start, limit, mode);
    } finally {
      this.nesting--;
    }
  }

  private nestedOutputBody(start: number, limit: number, mode: MarkupMode): number {
    let innerStart = start + 2;
    if (mode === 'template') this.copy(start, innerStart);
    else {
      if (this.src[innerStart] === '-') innerStart++;
      this.blank(start, innerStart);
    }
    const stop = this.markup(innerStart, limit, true, 'liquid');
    if (stop >= limit) return limit;
    const end = stop + 2;
    if (mode === 'template') this.copy(stop, end);
    else if (stop > innerStart && this.src[stop - 1] === '-' && this.uncopyLastChar()) this.blank(stop - 1, end);
    else this.blank(stop, end);
    return end;
  }

  /** `${name}` at `start`; returns the offset after it, or -1 when it is not a reference. */
  private attribute(start: number, limit: number, segment: number): number {
    const ref = parseReference(this.src, start, limit, segment);
    if (!ref) return -1;
    if (this.tagStart < 0 && this.src[ref.end] === '}' && this.src[ref.end + 1] !== '}') {
      // `{{ ${first_name }}`: the brace taken to close `${` is the output's own `}}`.
      this.problem(start, `"\${${ref.inner.trimEnd()}" is not closed with "}"`);
    }
    this.attributes.push(ref.reference);
    this.copy(segment, ref.replaceFrom);
    this.replace(ref.replaceFrom, ref.end, ref.replacement);
    return ref.end;
  }

  private problem(offset: number, message: string): void {
    if (!this.problems.some((p) => p.offset === offset)) this.problems.push({ offset, message });
  }

  /** A comment, nested comments included, read tag by tag as liquidjs's tokenizer does (a tag ends at its first `%}`). */
  private copyComment(start: number, firstEnd: number): number {
    let depth = 1;
    for (let open = this.src.indexOf('{%', firstEnd); open >= 0; open = this.src.indexOf('{%', open + 2)) {
      const close = this.src.indexOf('%}', open + 2);
      if (close < 0) break;
      const name = COMMENT_TAG.exec(this.src.slice(open, Math.min(close, open + 40)))?.[1];
      depth += name === 'comment' ? 1 : name === 'endcomment' ? -1 : 0;
      if (depth === 0) {
        this.copy(start, close + 2);
        return close + 2;
      }
      open = close;
    }
    this.problem(start, '{% comment %} is not closed with {% endcomment %}');
    return this.copyRest(start);
  }

  private copyThrough(start: number, endPattern: RegExp, from: number, tag: 'raw' | 'doc'): number {
    endPattern.lastIndex = from;
    const m = endPattern.exec(this.src);
    if (!m) {
      this.problem(start, `{% ${tag} %} is not closed with {% end${tag} %}`);
      return this.copyRest(start);
    }
    const end = m.index + m[0].length;
    this.copy(start, end);
    return end;
  }

  private copyRest(start: number): number {
    this.copy(start, this.src.length);
    return this.src.length;
  }

  private copy(from: number, to: number): void {
    if (to <= from) return;
    this.parts.push(this.src.slice(from, to));
    this.generatedLength += to - from;
  }

  /** Takes back the last copied character (a `-` trim marker that belongs to nested braces). */
  private uncopyLastChar(): boolean {
    const last = this.parts[this.parts.length - 1];
    if (!last) return false;
    this.parts[this.parts.length - 1] = last.slice(0, -1);
    this.generatedLength--;
    return true;
  }

  private replace(from: number, to: number, text: string): void {
    this.map.record(from, to, this.generatedLength, this.generatedLength + text.length);
    this.parts.push(text);
    this.generatedLength += text.length;
  }

  /** Replace with spaces of the same length (keeps tokens apart and positions stable). */
  private blank(from: number, to: number): void {
    this.replace(from, to, ' '.repeat(to - from));
  }
}

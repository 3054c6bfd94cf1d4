// Liquid highlighting for the template overlay: tokens cover the source, classes and escaping.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain browser module without type declarations
import { escapeHtml, highlightHtml, tokenizeLiquid } from '../../src/editor/public/js/highlight.js';
import { MQL_AUTHORIZATION, MQL_BODY } from './service.js';

interface Token {
  type: string;
  start: number;
  end: number;
}

const spans = (source: string): [string, string][] =>
  (tokenizeLiquid(source) as Token[]).map((t) => [t.type, source.slice(t.start, t.end)]);

/** The HTML without tags, entities decoded: what the overlay shows. */
const visibleText = (html: string): string =>
  html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('tokenizeLiquid', () => {
  it('covers every character exactly once, in order', () => {
    for (const source of [MQL_BODY, MQL_AUTHORIZATION, '', 'plain', '{{ unclosed', '{% if "a %}" %}x{% endif %}', '${user_id}']) {
      const tokens = tokenizeLiquid(source) as Token[];
      let at = 0;
      for (const t of tokens) {
        expect(t.start).toBe(at);
        expect(t.end).toBeGreaterThan(t.start);
        at = t.end;
      }
      expect(at).toBe(source.length);
    }
  });

  it('tells apart delimiters, tag names, strings, filters, numbers and ${...} attributes', () => {
    const tokens = spans(`{% if custom_attribute.\${lead score} > 100 %}{{ "a" | upcase }}{% endif %}`);
    expect(tokens).toContainEqual(['delim', '{%']);
    expect(tokens).toContainEqual(['tag', 'if']);
    expect(tokens).toContainEqual(['attr', '${lead score}']);
    expect(tokens).toContainEqual(['num', '100']);
    expect(tokens).toContainEqual(['str', '"a"']);
    expect(tokens).toContainEqual(['filter', 'upcase']);
    expect(tokens).toContainEqual(['tag', 'endif']);
    expect(tokens.filter(([type]) => type === 'tag').map(([, text]) => text)).toEqual(['if', 'endif']);
  });

  it('keeps a closing delimiter inside a string part of the string', () => {
    const tokens = spans(`{{ "}}" | append: 'x' }}after`);
    expect(tokens).toContainEqual(['str', '"}}"']);
    expect(tokens).toContainEqual(['filter', 'append']);
    expect(tokens.at(-1)).toEqual(['text', 'after']);
  });

  it('highlights ${...} in plain text and marks comment bodies', () => {
    expect(spans('Hi ${first_name}!')).toEqual([['text', 'Hi '], ['attr', '${first_name}'], ['text', '!']]);
    const tokens = spans('{% comment %}{{ not code }}{% endcomment %}');
    expect(tokens).toContainEqual(['comment', '{{ not code }}']);
    expect(tokens).toContainEqual(['tag', 'endcomment']);
  });

  it('treats whitespace-control delimiters as delimiters', () => {
    const tokens = spans('{%- assign a = 1 -%}{{- a -}}');
    expect(tokens.filter(([t]) => t === 'delim').map(([, s]) => s)).toEqual(['{%-', '-%}{{-', '-}}']);
  });
});

describe('highlightHtml', () => {
  it('shows exactly the source text, escaped, plus a final newline', () => {
    for (const source of [MQL_BODY, MQL_AUTHORIZATION, '<b>&"\'', 'a\n']) {
      const html = highlightHtml(source) as string;
      expect(visibleText(html)).toBe(`${source}\n`);
      expect(html).not.toMatch(/<(?!\/?span)/);
    }
  });

  it('wraps marked ranges in err classes without losing token classes', () => {
    const source = '{% iff %}';
    const html = highlightHtml(source, [{ start: 0, end: source.length }]) as string;
    expect(html).toContain('<span class="tok-tag err">iff</span>');
    expect(html.match(/class="[^"]*\berr\b/g)).toHaveLength(html.match(/<span/g)!.length);
    expect(highlightHtml(source)).not.toContain('err');
  });

  it('marks only the given range', () => {
    const html = highlightHtml('abc def', [{ start: 4, end: 7 }]) as string;
    expect(html).toBe('abc <span class="err">def</span>\n');
  });

  it('escapes every HTML special character', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

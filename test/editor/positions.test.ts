// Position helpers: line/column <-> offset, the underlined range, and error-to-field mapping.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
// @ts-expect-error plain browser module without type declarations
import { errorRange, fieldOfError, lineColumnAt, offsetAt, positionLabel } from '../../src/editor/public/js/positions.js';

describe('offsetAt / lineColumnAt', () => {
  it('are inverse for every offset of any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '\n', ' ', '{') }), fc.nat(), (text, n) => {
        const offset = n % (text.length + 1);
        const { line, column } = lineColumnAt(text, offset);
        expect(offsetAt(text, line, column)).toBe(offset);
      }),
    );
  });

  it('counts lines and columns from 1', () => {
    const text = 'ab\ncd\n\nef';
    expect(offsetAt(text, 1, 1)).toBe(0);
    expect(offsetAt(text, 2, 2)).toBe(4);
    expect(offsetAt(text, 4, 1)).toBe(7);
    expect(lineColumnAt(text, 6)).toEqual({ line: 3, column: 1 });
  });

  it('clamps positions past a line or the text', () => {
    expect(offsetAt('ab\ncd', 1, 99)).toBe(2);
    expect(offsetAt('ab\ncd', 9, 1)).toBe(5);
  });
});

describe('errorRange', () => {
  it('covers the whole tag that starts at the position', () => {
    const text = '{\n"a": 1,\n"b": "{% iff %}"\n}';
    const range = errorRange(text, 3, 7);
    expect(text.slice(range.start, range.end)).toBe('{% iff %}');
  });

  it('covers an output that is not closed on its line up to the line end', () => {
    const text = 'x {{ user.name\nnext';
    const range = errorRange(text, 1, 3);
    expect(text.slice(range.start, range.end)).toBe('{{ user.name');
  });

  it('covers a word elsewhere, and the last character at the end of the text', () => {
    const text = '{{ a | nope: 1 }}';
    expect(text.slice(errorRange(text, 1, 8).start, errorRange(text, 1, 8).end)).toBe('nope');
    const end = errorRange('abc', 1, 4);
    expect(end).toEqual({ start: 2, end: 3 });
  });

  it('has no range without a position', () => {
    expect(errorRange('abc', 0, 0)).toBeNull();
  });
});

describe('fieldOfError', () => {
  it('maps json_pairs errors to their pair and strips the label', () => {
    expect(fieldOfError({ field: 'body', message: 'body pair 2 value: unknown tag', line: 1, column: 1 }, 'json_pairs')).toEqual({
      fieldId: 'pair:1:value',
      message: 'unknown tag',
    });
  });

  it('keeps url, header and raw body fields as they are', () => {
    expect(fieldOfError({ field: 'header:Authorization', message: 'x' }, 'raw').fieldId).toBe('header:Authorization');
    expect(fieldOfError({ field: 'body', message: 'body pair 1 key: x' }, 'raw').fieldId).toBe('body');
  });

  it('labels positions', () => {
    expect(positionLabel(3, 7)).toBe('line 3, column 7');
    expect(positionLabel(0, 0)).toBe('');
  });
});

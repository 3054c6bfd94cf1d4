import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createLiquid, rewriteBrazeSyntax, TemplateError } from '../../src/index.js';

// Text without Liquid delimiters or attribute markers.
const plain = fc.stringMatching(/^[a-z0-9 .,:\n"'\-]{0,30}$/);
const attributeName = fc.stringMatching(/^[a-z_][a-z0-9_ ]{0,12}$/).filter((s) => s.trim() === s && s.length > 0);

describe('rewrite properties', () => {
  it('text without {{ or {% is unchanged', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }).filter((s) => !s.includes('{{') && !s.includes('{%')), (text) => {
        expect(rewriteBrazeSyntax(text).source).toBe(text);
      }),
    );
  });

  it('errors after any mix of ${} references point at the original line and column', () => {
    const engine = createLiquid();
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, attributeName, fc.boolean()), { maxLength: 6 }), plain, (pieces, tail) => {
        const before = pieces
          .map(([text, name, namespaced]) => `${text}{{${namespaced ? 'custom_attribute.' : ''}\${${name}}}}`)
          .join('');
        const template = `${before}${tail}{% no_such_tag %}`;
        const offset = template.lastIndexOf('{% no_such_tag');
        const lines = template.slice(0, offset).split('\n');
        let error: unknown;
        try {
          engine.parse(template);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TemplateError);
        const { line, column } = error as TemplateError;
        expect([line, column]).toEqual([lines.length, lines[lines.length - 1]!.length + 1]);
      }),
      { numRuns: 150 },
    );
  });

  it('renders every ${} reference to the context value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(attributeName, { maxLength: 5 }), async (names) => {
        const context = { custom_attribute: Object.fromEntries(names.map((n, i) => [n, `v${i}`])) };
        const template = names.map((n) => `[{{custom_attribute.\${${n}}}}]`).join('');
        const result = await createLiquid().render(template, context);
        expect(result.output).toBe(names.map((_, i) => `[v${i}]`).join(''));
        expect(result.warnings).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

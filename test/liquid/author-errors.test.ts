// Typical typos and the exact message each gets: the author's own text (`${first_name}`, not
// the rewritten lookup), only the tag or output at fault (never the rest of the template), and
// what is wrong rather than what liquidjs tripped over next.
import { describe, expect, it } from 'vitest';
import { createLiquid, TemplateError } from '../../src/index.js';

const engine = createLiquid();

function parseError(template: string): TemplateError {
  try {
    engine.parse(template);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(template)} parsed`);
}

const TYPOS: [template: string, message: string][] = [
  ["{% if x %}unterminated", "{% if x %} is not closed with {% endif %} (line 1, column 1)"],
  ["https://example.com/{{ x", "output \"{{ x\" is not closed with \"}}\" (line 1, column 21)"],
  ["{% if x > 1 }", "tag \"{% if x > 1 }\" is not closed with \"%}\" (line 1, column 1)"],
  ["{% if x > 1 }\nyes\n{% endif %}", "tag \"{% if x > 1 }\" is not closed with \"%}\" (line 1, column 1)"],
  ["{{ x }", "output \"{{ x }\" is not closed with \"}}\" (line 1, column 1)"],
  ["{{ x }\nmore {{ y }}", "output \"{{ x }\" is not closed with \"}}\" (line 1, column 1)"],
  ["a {% endif %}", "{% endif %} has no {% if %} to close (line 1, column 3)"],
  ["{% iff x %}", "unknown tag \"iff\" (line 1, column 1)"],
  ["{% if x %}{% endfor %}", "{% endfor %} does not close \"{% if x %}\" (that needs {% endif %}) (line 1, column 11)"],
  ["{% for x in %}{% endfor %}", "{% for x in %}: expected {% for item in collection %} (line 1, column 1)"],
  ["{% for %}{% endfor %}", "{% for %}: expected {% for item in collection %} (line 1, column 1)"],
  ["{% assign = 1 %}", "{% assign = 1 %}: a variable name is missing (assign name = value) (line 1, column 11)"],
  ["{% assign x 1 %}", "{% assign x 1 %}: \"=\" is missing (assign name = value) (line 1, column 13)"],
  ["{{ ${first_name }}", "\"${first_name\" is not closed with \"}\" (line 1, column 4)"],
  ["{{ x | default: ${first_name }}", "\"${first_name\" is not closed with \"}\" (line 1, column 17)"],
  ["{{ ${first_name} | default: \"there }}", "output \"{{ ${first_name} | default: \"there }}\" is not closed with \"}}\" (line 1, column 1)"],
  ["Hi {% if ${first_name} == \"Ada\" %}yes", "{% if ${first_name} == \"Ada\" %} is not closed with {% endif %} (line 1, column 4)"],
  ["{% capture %}x{% endcapture %}", "{% capture %}: a variable name is missing (capture name) (line 1, column 11)"],
  ["{% case %}{% endcase %}", "{% case %}: a value is missing (line 1, column 8)"],
  ["{% else %}", "{% else %} is only allowed inside an {% if %}, {% unless %}, {% case %} or {% for %} (line 1, column 1)"],
  ["{% elsif x %}", "{% elsif %} is only allowed inside an {% if %} (line 1, column 1)"],
  ["{% when \"a\" %}", "{% when %} is only allowed inside a {% case %} (line 1, column 1)"],
  ["{% connected_content %}", "connected_content: expected a URL after the tag name (line 1, column 1)"],
  ["{% abort_message('x' %}", "abort_message: missing \")\" in \"('x'\" (line 1, column 1)"],
  ["{% comment %}never closed", "{% comment %} is not closed with {% endcomment %} (line 1, column 1)"],
  ["{% raw %}never closed", "{% raw %} is not closed with {% endraw %} (line 1, column 1)"],
  ["{% for i in (1..) %}{% endfor %}", "{% for i in (1..) %}: a value is missing before \")\" (line 1, column 17)"],
  ["{{ x[ }}", "{{ x[ }}: \"[\" is not closed with \"]\" (line 1, column 6)"],
  ["{% unless x %}open", "{% unless x %} is not closed with {% endunless %} (line 1, column 1)"],
  ["{% if custom_attribute.${lead score} > 100 %}\n{\"a\": 1}\n{% else %}{% abort_message(\"no\") %}", "{% if custom_attribute.${lead score} > 100 %} is not closed with {% endif %} (line 1, column 1)"],
  ["{{ x | default: \"a\" \"b\" }}", "{{ x | default: \"a\" \"b\" }}: unexpected \"b\" (line 1, column 21)"],
  ["{{ x | upcase upcase }}", "{{ x | upcase upcase }}: a filter's arguments start with \":\" (line 1, column 15)"],
  ["{% if x %}{% else %}{% else %}{% endif %}", "{% if x %}: a second {% else %} (line 1, column 1)"],
  ["{% if x %}{% else %}{% elsif y %}{% endif %}", "{% if x %}: {% elsif %} after {% else %} (line 1, column 1)"],
  ["{% if x %}a{% elsif %}b{% endif %}", "{% elsif %}: a value is missing (line 1, column 20)"],
  ["{% connected_content https://x.test :method patch %}", "connected_content: :method patch is not supported; use get or post (line 1, column 1)"],
  ["{% for item in {{custom_attribute.${Brands Viewed}}} %}{{ item }}", "{% for item in {{custom_attribute.${Brands Viewed}}} %} is not closed with {% endfor %} (line 1, column 1)"],
  ["{{ 1 | plus: {{custom_attribute.${two} }}", "output \"{{ 1 | plus: {{custom_attribute.${two} }}\" is not closed with \"}}\" (line 1, column 1)"],
];

describe('parse errors in the author\'s words', () => {
  it.each(TYPOS)('%j → %s', (template, message) => {
    expect(parseError(template).message).toBe(message);
  });

  it('never quotes the rewritten internal names', () => {
    for (const [template] of TYPOS) {
      const { message } = parseError(template);
      expect(message).not.toMatch(/\["lead score"\]|\\u0000|Brands Viewed"\]/);
      if (template.includes('${first_name')) expect(message).toContain('${first_name');
    }
  });

  it('reads a comment tag by tag as liquidjs does: a comment opener inside another tag is not one', async () => {
    const template = '{% comment %}\n  {% assign a = 123 {% comment %}\n{% endcomment %}ok';
    expect((await engine.render(template, {})).output).toBe('ok');
  });

  it('quotes only the tag or output at fault, not what follows it', () => {
    const rest = '\nThe rest of the message: {{ "private" }} {% assign a = 1 %}';
    for (const template of ['{% if x > 1 }', '{% if x %}unterminated', '{% iff x %}', '{% assign = 1 %}', '{{ x | upcase upcase }}']) {
      const { message } = parseError(template + rest);
      expect(message).not.toContain('rest of the message');
      expect(message).not.toContain('private');
    }
  });
});

import { describe, it, expect } from 'vitest';
import { Liquid } from 'liquidjs';
import { createLiquid } from '../../src/liquid/index.js';
import { registerRubyCompat, setClock, strftime, toZonedTime, ZonedTime } from '../../src/liquid/ruby-compat/index.js';

function engine(templates?: Record<string, string>): Liquid {
  const liquid = new Liquid(templates ? { templates } : {});
  registerRubyCompat(liquid);
  setClock(liquid, () => new Date(Date.UTC(2024, 0, 1, 0, 1, 58)));
  return liquid;
}
const render = (template: string, env: object = {}) => engine().parseAndRender(template, env);
const withFiles = (files: Record<string, string>, template: string, env: object = {}) => engine(files).parseAndRender(template, env);
const at = (iso: string) => toZonedTime(iso, () => new Date())!;

describe('strftime (Ruby Time#strftime)', () => {
  const t = at('2020-06-15 14:30:45');
  it.each([
    ['%Y-%m-%d %H:%M:%S', '2020-06-15 14:30:45'],
    ['%a %A %b %B %h', 'Mon Monday Jun June Jun'],
    ['%e|%-d|%_m|%3N', '15|15| 6|000'],
    ['%I %l %p %P', '02  2 PM pm'],
    ['%j %u %w %U %W %V %G %g', '167 1 1 24 24 25 2020 20'],
    ['%c', 'Mon Jun 15 14:30:45 2020'],
    ['%D %x %F %R %T %X %r', '06/15/20 06/15/20 2020-06-15 14:30 14:30:45 14:30:45 02:30:45 PM'],
    ['%^a %^B %10A|%-10A|%05d', 'MON JUNE     Monday|Monday|00015'],
    ['%z %:z %::z %Z', '+0000 +00:00 +00:00:00 UTC'],
    ['%s %% %n%t %q', '1592231445 % \n\t %q'],
  ])('%s', (format, expected) => {
    expect(strftime(t, format)).toBe(expected);
  });

  it('uses the offset the time was parsed with', () => {
    const zoned = at('2020-06-15 14:30:45 -04:00');
    expect(strftime(zoned, '%H:%M %z %:z [%Z] %s')).toBe('14:30 -0400 -04:00 [] 1592245845');
  });
});

describe('date parsing (Ruby Liquid Utils.to_date)', () => {
  it.each([
    ['2006-07-05 10:00:00 -04:00', '2006-07-05 10:00 -0400'],
    ['Fri Jul 16 01:00:00 2004', '2004-07-16 01:00 +0000'],
    ['Mon, 15 Jun 2020 14:30:45 -0400', '2020-06-15 14:30 -0400'],
    ['July 5, 2006', '2006-07-05 00:00 +0000'],
    ['2020-06-15T14:30:00Z', '2020-06-15 14:30 +0000'],
    ['2020/06/15 2:05 pm', '2020-06-15 14:05 +0000'],
    ['1152098955', '2006-07-05 11:29 +0000'],
  ])('%s', (input, expected) => {
    expect(strftime(at(input), '%Y-%m-%d %H:%M %z')).toBe(expected);
  });

  it('returns nothing for non-dates and empty strings', () => {
    expect(toZonedTime('not a date', () => new Date())).toBeUndefined();
    expect(toZonedTime('', () => new Date())).toBeUndefined();
    expect(toZonedTime('2020-13-45', () => new Date())).toBeUndefined();
  });

  it('reads now/today case-insensitively from the clock', () => {
    const now = new Date(Date.UTC(2030, 4, 6, 7, 8, 9));
    expect(toZonedTime('Today', () => now)).toEqual(new ZonedTime(now.getTime()));
  });
});

describe('date filter', () => {
  it('formats, passes non-dates through, and ignores empty formats', async () => {
    expect(await render("{{ 'now' | date: '%Y-%m-%d %H:%M:%S' }}")).toBe('2024-01-01 00:01:58');
    expect(await render("{{ 'hello' | date: '%Y' }}")).toBe('hello');
    expect(await render("{{ '2020-06-15' | date: '' }}")).toBe('2020-06-15');
    expect(await render("{{ '' | date: '%Y' }}")).toBe('');
    expect(await render("{{ 1152098955 | date: '%Y-%m-%d' }}")).toBe('2006-07-05');
  });
});

describe('tablerow (Ruby markup)', () => {
  it('wraps rows with Ruby newlines and classes', async () => {
    expect(await render('{% tablerow i in items cols:2 %}{{ i }}{% endtablerow %}', { items: [1, 2, 3] })).toBe(
      '<tr class="row1">\n<td class="col1">1</td><td class="col2">2</td></tr>\n<tr class="row2"><td class="col1">3</td></tr>\n',
    );
  });

  it('exposes tablerowloop and honours limit, offset and break', async () => {
    const out = await render(
      '{% tablerow i in items cols:2 limit:3 offset:1 %}{{ tablerowloop.row }}.{{ tablerowloop.col }}{% if tablerowloop.col_last %}L{% endif %}{% endtablerow %}',
      { items: [1, 2, 3, 4, 5] },
    );
    expect(out).toBe('<tr class="row1">\n<td class="col1">1.1</td><td class="col2">1.2L</td></tr>\n<tr class="row2"><td class="col1">2.1</td></tr>\n');
    expect(await render('{% tablerow i in (1..5) %}{{ i }}{% if i == 2 %}{% break %}{% endif %}{% endtablerow %}')).toBe(
      '<tr class="row1">\n<td class="col1">1</td><td class="col2">2</td></tr>\n',
    );
  });

  it('renders an empty row for an empty collection and nothing for nil', async () => {
    expect(await render('{% tablerow i in items %}{{ i }}{% endtablerow %}', { items: [] })).toBe('<tr class="row1">\n</tr>\n');
    expect(await render('{% tablerow i in missing %}{{ i }}{% endtablerow %}')).toBe('');
  });
});

describe('Ruby filter semantics', () => {
  it('divided_by: integer division unless a float is involved', async () => {
    expect(await render('{{ 15 | divided_by: 2 }}')).toBe('7');
    expect(await render('{{ 15 | divided_by: 2.0 }}')).toBe('7.5');
    expect(await render('{{ 2.5 | divided_by: 2 }}')).toBe('1.25');
    expect(await render('{{ 10.0 | divided_by: 4 }}')).toBe('2.5');
    expect(await render('{{ 10.0 | divided_by: 0 }}')).toBe('Infinity');
    expect(await render('{{ -7 | divided_by: 2 }}')).toBe('-4');
    expect(await render('{{ n | divided_by: 4 }}', { n: 10 })).toBe('2');
    await expect(render('{{ 1 | divided_by: 0 }}')).rejects.toThrow(/divided by 0/);
  });

  it('truncatewords keeps input with exactly N words and passes nil through', async () => {
    expect(await render("{{ 'one two three' | truncatewords: 3 }}")).toBe('one two three');
    expect(await render("{{ 'one two three four' | truncatewords: 2 }}")).toBe('one two...');
    expect(await render("{{ '  a   b  ' | truncatewords: 1, '!' }}")).toBe('a!');
    expect(await render('{{ nil | truncatewords: nil }}')).toBe('');
  });

  it('slice follows Ruby offsets and lengths', async () => {
    expect(await render("{{ 'foobar' | slice: 1, 3 }}")).toBe('oob');
    expect(await render("{{ 'foobar' | slice: -3, 2 }}")).toBe('ba');
    expect(await render("{{ 'foobar' | slice: 10 }}")).toBe('');
    expect(await render("{{ 'foobar' | slice: 0, 9223372036854775807 }}")).toBe('foobar');
    expect(await render("{{ a | slice: 1, 2 | join: ',' }}", { a: [1, 2, 3] })).toBe('2,3');
    await expect(render("{{ 'foo' | slice: 'x' }}")).rejects.toThrow(/invalid integer/);
  });
});

describe('Ruby to_s: hashes, arrays, floats and ranges', () => {
  it.each([
    ['{{ h }}', { h: { a: 1, b: [1, 'x', null], c: { d: true } } }, '{"a"=>1, "b"=>[1, "x", nil], "c"=>{"d"=>true}}'],
    ['{{ list }}', { list: ['a', ['b', { k: 'v' }]] }, 'ab{"k"=>"v"}'],
    ['{{ list | upcase }}', { list: ['a', 'b'] }, '["A", "B"]'],
    ["{{ h | append: '!' }}", { h: { 'say "hi"': 'line\nbreak' } }, '{"say \\"hi\\""=>"line\\nbreak"}!'],
    ['{{ list | join: glue }}', { list: [{ a: 1 }, 2], glue: { g: 0 } }, '{"a"=>1}{"g"=>0}2'],
    ['{{ 2.0 }}|{{ 0.000001 }}|{{ big | times: 1.0 }}', { big: 1e20 }, '2.0|1.0e-06|1.0e+20'],
    ['{{ (1..4) }}|{{ (n..3) | join: "," }}|{{ (1..3).last }}', { n: '1abc' }, '1..4|1,2,3|3'],
  ])('%s', async (template, env, expected) => {
    expect(await render(template, env)).toBe(expected);
  });
});

describe('Ruby math: decimal floats that stay floats', () => {
  it.each([
    ["{{ '3.5' | plus: 1.5 }}", '5.0'],
    ['{{ 0.1 | plus: 0.2 }}', '0.3'],
    ['{{ 0.0725 | times: 100 }}', '7.25'],
    ["{{ '1' | plus: '1.0' }}", '2.0'],
    ["{{ '5abc' | minus: 1 }}", '4'],
    ['{{ 7.5 | modulo: 2 }}', '1.5'],
    ['{{ flag | abs }}|{{ flag | ceil }}', '0|0'],
    ['{{ 2.5 | round }}|{{ -2.5 | round }}|{{ 1.005 | round: 2 }}', '3|-3|1.01'],
    ['{{ list | sum }}', '0.6'],
  ])('%s', async (template, expected) => {
    expect(await render(template, { flag: true, list: [0.1, '0.2', 0.3] })).toBe(expected);
  });
});

describe('Ruby conditions', () => {
  it.each([
    ['{% if list contains nil %}y{% else %}n{% endif %}', 'n'],
    ['{% if 5 > true %}y{% else %}n{% endif %}', 'n'],
    ['{% if "150" > 100 %}y{% else %}n{% endif %}', 'n'],
    ['{% if 1 == 1.0 and list == list %}y{% endif %}', 'y'],
    ['{% if h contains "a" %}y{% endif %}', 'y'],
  ])('%s', async (template, expected) => {
    expect(await render(template, { list: [1, null], h: { a: 1 } })).toBe(expected);
  });
});

describe('Ruby array filters', () => {
  const items = [{ t: 'A', on: true }, { t: 'B', on: false }, { t: 'C', on: true }];
  it.each([
    ["{{ items | where: 'on', config.on | map: 't' | join }}", 'A C'],
    ["{{ words | where: 'mm' | join }}", 'gamma'],
    ["{{ words | sort_natural | join: ',' }}", 'alpha,Beta,gamma,'],
    ["{{ items | uniq: 'on' | size }}", '2'],
    ['{{ h | first }}|{{ h.first }}|{{ h | size }}|{{ 42 | size }}|{{ 4.2 | size }}', 'a1|a1|2|8|0'],
    ["{{ nested | join: '-' }}|{{ nested | sum }}", '1-2-3|6'],
    ['{{ empty_hash | default: "none" }}', 'none'],
  ])('%s', async (template, expected) => {
    const env = { items, config: { on: true }, words: ['gamma', null, 'alpha', 'Beta'], h: { a: 1, b: 2 }, nested: [1, [2, [3]]], empty_hash: {} };
    expect(await render(template, env)).toBe(expected);
  });
});

describe('Ruby tags', () => {
  it.each([
    ['{% for i in (1..2) %}{% for j in (1..2) %}{{ forloop.parentloop.index }}.{{ j }} {% endfor %}{% endfor %}', '1.1 1.2 2.1 2.2 '],
    ["{% assign x = 'a' %}{% cycle x, 'b' %}{% cycle x, 'b' %}{% cycle 'p', 'q' %}{% cycle 'p', 'q' %}", 'aapq'],
    ['{% for i in list %}{% ifchanged %}{{ i }}{% endifchanged %}{% endfor %}', '12'],
    ['{% decrement port %} {{ port }}', '-1 -1'],
    ['a{% doc %}{% if %} @param x{% enddoc %}b', 'ab'],
    ['a{% comment %}{% comment %}{%%}{% endcomment %}x{% endcomment %}b', 'ab'],
    ['> {%- raw -%} {{ x }} {%- endraw -%} <', '> {{ x }} <'],
    ['{% for i in (1..3) %} {% endfor %}|{% if true %} {% assign a = 1 %} {% endif %}|{% if true %} x {% endif %}', '|| x '],
    ["{{ blank.foo }}|{% assign k = 'port' %}{{ self[k] }}", 'bar|10'],
    ["{{ 'hi' || upcase }}|{{ 'hi' | replace: '', '-' }}", 'HI|-h-i-'],
    ['{% case 1 %}{% else %}a{% when 1, 1.0 %}b{% else %}c{% endcase %}', 'abb'],
    ['{{ list.first }}|{{ list["first"] }}', '1|'],
    ["{{ '<<<script </script>script>x</script>' | strip_html }}", 'x'],
  ])('%s', async (template, expected) => {
    expect(await render(template, { list: [1, 1, 2], port: 10, blank: { foo: 'bar' } })).toBe(expected);
  });

  it('a filter without its required argument fails as the Ruby method does', async () => {
    await expect(render("{{ 'a-b' | split }}")).rejects.toThrow('wrong number of arguments (given 1, expected 2)');
  });

  it('a `for` offset that is not an integer is an error', async () => {
    await expect(render('{% for i in (1..3) offset: x %}{% endfor %}', { x: 'bad' })).rejects.toThrow('invalid integer');
  });
});

describe('include and render (Ruby semantics)', () => {
  const files = { card: '[{{ card }}{{ extra }}]', item: '{{ forloop.index }}:{{ item }} ', self: '{{ self }}', env: '{{ shop }}{{ local }}', nest: '{% include "nest" %}' };
  it.each([
    ['{% include "card" with "x", extra: "!" %}', '[x!]'],
    ['{% include "card" for list %}', '[1][2]'],
    ['{% include "card" with list as card2 %}{{ card2 }}', '[][]'],
    ['{% render "item" for list %}', '1:1 2:2 '],
    ['{% assign local = "L" %}{% render "env" %}', 'Shop'],
  ])('%s', async (template, expected) => {
    expect(await withFiles(files, template, { list: [1, 2], shop: 'Shop' })).toBe(expected);
  });

  it('refuses include inside render and stops runaway recursion', async () => {
    await expect(withFiles({ a: '{% include "b" %}', b: 'x' }, '{% render "a" %}')).rejects.toThrow('include usage is not allowed in this context');
    await expect(withFiles(files, '{% include "nest" %}')).rejects.toThrow('Nesting too deep');
    await expect(withFiles({ m: 'one\n{{ 1 | divided_by: 0 }}' }, '{% render "m" %}')).rejects.toThrow('m line 2: divided by 0');
  });
});

describe('Braze filters on Ruby values', () => {
  it('URL-safe base64 and hashes as Ruby prints them', async () => {
    const engine = createLiquid();
    const out = await engine.render("{{ '>>>?' | base64_url_safe_encode }}|{{ '4pyF' | base64_url_safe_decode }}|{{ h | base64_encode }}", { h: { a: 1 } });
    expect(out.output).toBe('Pj4-Pw==|✅|eyJhIj0+MX0=');
  });
});

describe('inline errors (createLiquid inlineErrors)', () => {
  const engine = createLiquid({ inlineErrors: true });
  it('writes the error where the node stood and goes on; blank tags stay silent', async () => {
    expect((await engine.render('a {{ 1 | divided_by: 0 }} b', {})).output).toBe('a Liquid error (line 1): divided by 0 b');
    expect((await engine.render('{% if 1 | divided_by: 0 %}{% assign y = 1 %}{% endif %}ok', {})).output).toBe('ok');
    expect((await engine.render('x\n{% if 1 | divided_by: 0 %}!{% endif %}', {})).output).toBe('x\nLiquid error (line 2): divided by 0');
  });

  it('still aborts on abort_message', async () => {
    expect((await engine.render("{{ 1 | divided_by: 0 }}{% abort_message('stop') %}", {})).aborted).toEqual({ reason: 'stop' });
  });
});

import { describe, it, expect } from 'vitest';
import { Liquid } from 'liquidjs';
import { registerRubyCompat, setClock, strftime, toZonedTime, ZonedTime } from '../../src/liquid/ruby-compat/index.js';

function engine(): Liquid {
  const liquid = new Liquid();
  registerRubyCompat(liquid);
  setClock(liquid, () => new Date(Date.UTC(2024, 0, 1, 0, 1, 58)));
  return liquid;
}
const render = (template: string, env: object = {}) => engine().parseAndRender(template, env);
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

import { describe, it, expect } from 'vitest';
import { Liquid } from 'liquidjs';
import { registerBrazeFilters } from '../../src/liquid/filters/index.js';
import { registerRubyCompat } from '../../src/liquid/ruby-compat/index.js';

const NOW = new Date(Date.UTC(2021, 7, 4, 18, 13, 13));

function engine(): Liquid {
  const liquid = new Liquid();
  registerRubyCompat(liquid);
  registerBrazeFilters(liquid, { now: () => NOW });
  return liquid;
}

const render = (template: string, env: object = {}) => engine().parseAndRender(template, env);

describe('encoding filters (Braze docs examples)', () => {
  it.each([
    ["{{'hey' | md5}}", '6057f13c496ecf7fd777ceb9e79ae285'],
    ["{{'hey' | sha1}}", '7f550a9f4c44173a37664d938f1355f0f92a47a7'],
    ["{{'hey' | sha2}}", 'fa690b82061edfd2852629aeba8a8977b57e40fcb77d1a7a28b26cba62591204'],
    ["{{'blah' | base64_encode}}", 'YmxhaA=='],
    ["{{'YmxhaA==' | base64_decode}}", 'blah'],
    ["{{'hey' | hmac_sha1_hex: 'secret_key'}}", '2a3969bed25bfeefb00aca4063eb9590b4df8f0e'],
    ["{{'hey' | hmac_sha1: 'secret_key'}}", '2a3969bed25bfeefb00aca4063eb9590b4df8f0e'],
    ["{{'hey' | hmac_sha1_base64: 'secret_key'}}", 'KjlpvtJb/u+wCspAY+uVkLTfjw4='],
    ["{{'hey' | hmac_sha256_hex: 'secret_key'}}", '8df897f8da3d7992fe57c8dbc6f27578cfbf2dcc4d0fbb4000b8c924841d508e'],
    ["{{'hey' | hmac_sha256: 'secret_key'}}", '8df897f8da3d7992fe57c8dbc6f27578cfbf2dcc4d0fbb4000b8c924841d508e'],
    ["{{'hey' | hmac_sha256_base64: 'secret_key'}}", 'jfiX+No9eZL+V8jbxvJ1eM+/LcxND7tAALjJJIQdUI4='],
  ])('%s → %s', async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  it('hmac_sha512 is the hex HMAC-SHA512 (RFC 4231 test case 2)', async () => {
    expect(await render("{{ 'what do ya want for nothing?' | hmac_sha512: 'Jefe' }}")).toBe(
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    );
  });

  it('hashes UTF-8 bytes and treats nil as empty', async () => {
    expect(await render('{{ s | md5 }}', { s: 'é' })).toBe('66ddcd97cfdeabb2f6fb8a999b4bc76f');
    expect(await render('{{ missing | md5 }}')).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('rejects an hmac without a key and invalid base64', async () => {
    await expect(render("{{ 'hey' | hmac_sha256_hex }}")).rejects.toThrow(/secret key/);
    await expect(render("{{ '%%%' | base64_decode }}")).rejects.toThrow(/invalid base64/);
  });
});

describe('URL filters', () => {
  it('follows the Braze docs examples', async () => {
    expect(await render("{{'hey<>hi' | url_escape}}")).toBe('hey%3C%3Ehi');
    expect(await render("{{'hey<&>hi' | url_param_escape}}")).toBe('hey%3C%26%3Ehi');
    expect(await render("{{ 'google search' | url_encode }}")).toBe('google+search');
  });

  it('url_escape keeps URL syntax, url_param_escape escapes it, both encode UTF-8', async () => {
    expect(await render("{{ 'https://x.io/a b?q=1&r=é' | url_escape }}")).toBe('https://x.io/a%20b?q=1&r=%C3%A9');
    expect(await render("{{ 'a b/c?d=e&f' | url_param_escape }}")).toBe('a%20b%2Fc%3Fd%3De%26f');
    expect(await render("{{ \"it's (ok)*\" | url_encode }}")).toBe('it%27s+%28ok%29%2A');
  });
});

describe('property_accessor, number_with_delimiter, json filters', () => {
  it('property_accessor reads a hash at a key (docs example)', async () => {
    expect(await render("{{ hash | property_accessor: 'a' }}", { hash: { a: 42, b: 0 } })).toBe('42');
    expect(await render('{{ hash | property_accessor: k }}', { hash: { a: 42, b: 0 }, k: 'b' })).toBe('0');
    expect(await render("{{ hash | property_accessor: 'toString' }}", { hash: { a: 1 } })).toBe('');
  });

  it('number_with_delimiter formats with commas (docs example)', async () => {
    expect(await render('{{ 123456 | number_with_delimiter }}')).toBe('123,456');
    expect(await render('{{ 1234567.891 | number_with_delimiter }}')).toBe('1,234,567.891');
    expect(await render("{{ '-9876543' | number_with_delimiter }}")).toBe('-9,876,543');
    expect(await render('{{ 999 | number_with_delimiter }}')).toBe('999');
    expect(await render("{{ 'abc' | number_with_delimiter }}")).toBe('abc');
  });

  it('json_escape escapes quotes, backslashes and control characters', async () => {
    expect(await render('{"name": "{{ n | json_escape }}"}', { n: 'Say "hi"\\\n' })).toBe('{"name": "Say \\"hi\\"\\\\\\n"}');
    expect(JSON.parse(await render('{"v": "{{ n | json_escape }}"}', { n: 'a"b\\c\td\u0001' })).v).toBe('a"b\\c\td\u0001');
  });

  it('json_parse and as_json_string round-trip (docs example)', async () => {
    const template =
      "{% assign my_data_string = '[{\"id\":\"1\",\"store_name\":\"demo-store\"}]' %}{% assign my_data = my_data_string | json_parse %}" +
      '{% for item in my_data %}Item ID: {{ item.id }} Item Name: {{ item.store_name }}{% endfor %}|{{ my_data | as_json_string }}';
    expect(await render(template)).toBe('Item ID: 1 Item Name: demo-store|[{"id":"1","store_name":"demo-store"}]');
    expect(await render("{{ 'not json' | json_parse | as_json_string }}")).toBe('null');
    expect(await render('{{ x | as_json_string }}', { x: { a: [1, true, null] } })).toBe('{"a":[1,true,null]}');
  });
});

describe('money (Braze semantics: the amount as given, not cents)', () => {
  it.each([
    ['${{ 145 | money }}', '$145.00'],
    ['${{ 145 | divided_by: 100.00 | money }}', '$1.45'],
    ['${{ 17.8 | money }}', '$17.80'],
    ['{% assign my_int = "350000.25" | plus: 0 %}{{ my_int | money }}', '350,000.25'],
    ['{{ -3.456 | money }}', '-3.46'],
    ["{{ 'n/a' | money }}", 'n/a'],
  ])('%s → %s', async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });
});

describe('date and time_zone', () => {
  it("'now' uses the injected clock, in UTC", async () => {
    expect(await render("{{ 'now' | date: '%Y-%m-%d %H:%M:%S' }}")).toBe('2021-08-04 18:13:13');
    expect(await render("{{ 'now' | date: '%s' }}")).toBe(String(NOW.getTime() / 1000));
  });

  it('date with %s gives Unix time and formats in UTC', async () => {
    expect(await render("{{ d | date: '%s' }}", { d: '2021-06-03 17:13:41 UTC' })).toBe('1622740421');
    expect(await render("{{ d | date: '%b %d' }}", { d: '2021-06-03 17:13:41 UTC' })).toBe('Jun 03');
    expect(await render("{{ 1622740421 | date: '%H:%M' }}")).toBe('17:13');
  });

  it('time_zone converts before formatting (docs example, real strftime output)', async () => {
    const env = { d: '2021-08-04 9:00:00 UTC' };
    expect(await render("{{ d | time_zone: 'America/Los_Angeles' | date: '%a %b %e %T' }}", env)).toBe('Wed Aug  4 02:00:00');
    expect(await render("{{ d | time_zone: 'America/Los_Angeles' | date: '%H:%M %Z %z' }}", env)).toBe('02:00 PDT -0700');
    expect(await render("{{ d | time_zone: 'Asia/Kolkata' | date: '%H:%M %:z' }}", env)).toBe('14:30 +05:30');
    expect(await render("{{ d | time_zone: 'America/Los_Angeles' }}", env)).toBe('2021-08-04 02:00:00 -0700');
  });

  it('time_zone follows daylight saving and reports unknown zones', async () => {
    expect(await render("{{ '2021-01-04 09:00:00 UTC' | time_zone: 'America/Los_Angeles' | date: '%H %Z' }}")).toBe('01 PST');
    expect(await render("{{ '2021-01-04 09:00:00' | time_zone: 'Mars/Base' | date: '%H' }}")).toBe('09');
  });
});

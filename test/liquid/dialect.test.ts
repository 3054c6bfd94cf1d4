import { describe, it, expect } from 'vitest';
import { createLiquid, rewriteBrazeSyntax } from '../../src/index.js';

const user = {
  user_id: 'u1',
  first_name: 'Ada',
  last_name: 'Lovelace',
  language: 'en',
  custom_attribute: {
    'lead score': 150,
    'zip code': '75001',
    Number_Game_Attended: 1,
    one: 2,
    two: 3,
    current_rewards_balance: 80,
    giftcard_balance: 20,
    balance: 12,
    address: [{ city: 'Paris' }, { city: 'Lyon' }],
    'Brands Viewed': ['Nike', 'Converse', 'Vans'],
  },
  songs: [{ album: { name: 'Blue' } }],
  event_properties: { product: 'shoes' },
  campaign: { name: 'Spring' },
};

async function out(template: string, context: object = user): Promise<string> {
  const result = await createLiquid().render(template, context);
  return result.output;
}

describe('${name} rewriting (source level)', () => {
  it.each([
    ['{{${first_name}}}', '{{first_name}}'],
    ['{{ ${first_name} | default: "x" }}', '{{ first_name | default: "x" }}'],
    ['{{custom_attribute.${lead score}}}', '{{custom_attribute["lead score"]}}'],
    ['{{custom_attribute.${address}[1].city}}', '{{custom_attribute.address[1].city}}'],
    ['{{custom_attribute.${address}[0].city}}', '{{custom_attribute.address["\\u0000[0]"].city}}'],
    ['{{${songs}[0].album.name}}', '{{songs["\\u0000[0]"].album.name}}'],
    ['{{custom_attribute.${address.city}}}', '{{custom_attribute.address.city}}'],
    ['{{custom_attribute.${home address.zip code}}}', '{{custom_attribute["home address"]["zip code"]}}'],
    ['{{api_trigger_properties.${details}.${color}}}', '{{api_trigger_properties.details.color}}'],
    ['{% if a && b || c %}', '{% if a  and  b  or  c %}'],
    ["{% elsif a&&'x && y' %}", "{% elsif a and 'x && y' %}"],
    ['{{ a || b }}', '{{ a || b }}'],
    ['{{ ${zip code} }}', '{{ ["zip code"] }}'],
    ["{{custom_attribute.${it's}}}", `{{custom_attribute["it's"]}}`],
    ["{{${first_name | default: 'there'}}}", "{{first_name | default: 'there'}}"],
    ['{% if {{x}} == 1 %}', '{% if   x   == 1 %}'],
    ['{{ a | plus: {{b}} }}', '{{ a | plus:   b   }}'],
    ['{% if {{- x -}} == 1 %}', '{% if     x     == 1 %}'],
  ])('%s → %s', (input, expected) => {
    expect(rewriteBrazeSyntax(input).source).toBe(expected);
  });

  it('leaves plain text, quoted strings, raw blocks and comments alone', () => {
    const keep = [
      'Price: ${price} and ${{ not liquid',
      '{% raw %}{{${first_name}}} {% if {{x}} %}{% endraw %}',
      '{% comment %}{{${first_name}}}{% comment %}{{${x}}}{% endcomment %}{{${y}}}{% endcomment %}',
      "{% assign s = '${first_name} {{x}}' %}",
      '{{ "${first_name}" }}',
      '{%# {{${first_name}}} %}',
    ];
    for (const text of keep) expect(rewriteBrazeSyntax(text).source).toBe(text);
  });

  it('keeps {{ }} inside connected_content markup but rewrites the ${} in it', () => {
    const src = '{% connected_content https://x.test/u/{{${user_id}}}?c={{custom_attribute.${zip code}}} :save r %}';
    expect(rewriteBrazeSyntax(src).source).toBe(
      '{% connected_content https://x.test/u/{{user_id}}?c={{custom_attribute["zip code"]}} :save r %}',
    );
  });

  it('rewrites ${} in connected_content JSON bodies and multi-line markup', () => {
    const src = [
      '{% connected_content https://x.test/api',
      ':method post',
      ` :body {"id":"{{\${user_id}}}","name":"{{custom_attribute.\${full name} | default: 'n/a'}}"}`,
      ':content_type application/json :save r %}',
    ].join('\n');
    const rewritten = rewriteBrazeSyntax(src).source;
    expect(rewritten).toContain(`:body {"id":"{{user_id}}","name":"{{custom_attribute["full name"] | default: 'n/a'}}"}`);
    expect(rewritten.split('\n')).toHaveLength(4);
  });

  it('records the attribute references with their namespace path', () => {
    const refs = rewriteBrazeSyntax('{{${first_name}}} {% if custom_attribute.${lead score} > 1 %}{% endif %}').attributes;
    expect(refs.map((r) => r.path)).toEqual([['first_name'], ['custom_attribute', 'lead score']]);
    expect(refs.map((r) => r.text)).toEqual(['${first_name}', 'custom_attribute.${lead score}']);
  });
});

describe('attribute syntax (Braze docs examples)', () => {
  it('default attributes with and without default', async () => {
    expect(await out("Hi {{ ${first_name} | default: 'Valued User' }}, thanks for using the App!")).toBe(
      'Hi Ada, thanks for using the App!',
    );
    expect(await out("Hi {{ ${first_name} | default: 'Valued User' }}, thanks for using the App!", {})).toBe(
      'Hi Valued User, thanks for using the App!',
    );
    expect(await out('{{${first_name}}} {{${last_name}}} {{${user_id}}}')).toBe('Ada Lovelace u1');
  });

  it('custom attributes with spaces, nested objects and arrays', async () => {
    expect(await out('{{custom_attribute.${zip code}}}')).toBe('75001');
    expect(await out('{{custom_attribute.${address}[0].city}}/{{custom_attribute.${address}[1].city}}')).toBe('Paris/Lyon');
    expect(await out('{{${songs}[0].album.name}}')).toBe('Blue');
    expect(await out('{{event_properties.${product}}} {{campaign.${name}}}')).toBe('shoes Spring');
  });

  it('missing attributes render blank, default applies, and a warning names them', async () => {
    const result = await createLiquid().render('[{{custom_attribute.${missing}}}][{{${city} | default: "nowhere"}}]', user);
    expect(result.output).toBe('[][nowhere]');
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toContain('custom_attribute.${missing}');
    expect(result.warnings[0]).toContain('line 1, column 4');
    expect(result.warnings[1]).toContain('${city}');
  });

  it('hints at custom_attribute for a top-level name that is not a default attribute', async () => {
    const result = await createLiquid().render('{{${lead_score}}}', {});
    expect(result.warnings[0]).toContain('custom_attribute.${lead_score}');
  });

  it('no warning when the attribute is present, even if null', async () => {
    const result = await createLiquid().render('{{${first_name}}}{{custom_attribute.${x}}}', {
      first_name: null,
      custom_attribute: { x: null },
    });
    expect(result.warnings).toEqual([]);
  });

  it('filters written inside ${...}, as in the null-attribute docs example', async () => {
    const template = "{% if ${first_name} == blank %}Sale!{% else %}Hey {{${first_name | default: 'there'}}}, sale!{% endif %}";
    expect(await out(template)).toBe('Hey Ada, sale!');
    expect(await out(template, { first_name: '' })).toBe('Sale!');
    expect(await out("{{${first_name | default: 'there'} | upcase}}", {})).toBe('THERE');
  });

  it('docs spellings: elsif directly followed by braces, abort_message with a space', async () => {
    const template = "{% if {{custom_attribute.${Game}}} == 'Game1' %}one{% elsif{{custom_attribute.${Game}}} == 'Game2' %}two{% else %}none{% endif %}";
    expect(await out(template, { custom_attribute: { Game: 'Game2' } })).toBe('two');
    const aborted = await createLiquid().render('{% abort_message () %}', {});
    expect(aborted.aborted).toEqual({ reason: '' });
  });

  it('${} in the liquid and echo tags, with whitespace control', async () => {
    expect(await out('{% liquid\n assign x = ${first_name} | upcase\n echo x %}')).toBe('ADA');
    expect(await out('{% echo custom_attribute.${zip code} | append: "!" %}')).toBe('75001!');
    expect(await out('a  {{- ${first_name} -}}  b')).toBe('aAdab');
    expect(await out('{%- if ${first_name} -%}  y  {%- endif -%}')).toBe('y');
  });

  it('${} inside tag markup and filter arguments', async () => {
    expect(await out('{% if custom_attribute.${lead score} > 100 %}hot{% endif %}')).toBe('hot');
    expect(await out('{{ 1 | plus: custom_attribute.${lead score} }}')).toBe('151');
    expect(await out("{% if ${language} == 'en' %}English{% else %}Other{% endif %}")).toBe('English');
    expect(await out('{% if ${first_name} != blank and ${first_name} != null %}Hello {{${first_name} | default: "there"}}{% endif %}')).toBe(
      'Hello Ada',
    );
  });
});

describe('nested custom attribute objects (Braze nested-attribute docs forms)', () => {
  const song = {
    custom_attribute: {
      most_played_song: { song_name: 'Solea', artist_name: 'Miles Davis', play_analytics: { count: 1000 } },
      accounts: [{ type: 'taxable', balance: 22500 }, { type: 'non-taxable', balance: 0 }],
      address: { city: 'Paris', state: 'IDF' },
    },
    api_trigger_properties: { details: { color: 'red' }, related_skus: ['123', '456'] },
  };

  it.each([
    ['{{custom_attribute.${most_played_song}.artist_name}}', 'Miles Davis'],
    ['{{custom_attribute.${most_played_song}[0].artist_name}}', 'Miles Davis'],
    ['{{custom_attribute.${most_played_song}[0].play_analytics.count}}', '1000'],
    ['{{custom_attribute.${accounts}[0].type}}/{{custom_attribute.${accounts}[1].type}}', 'taxable/non-taxable'],
    ["{{custom_attribute.${address.city} | default: 'Unknown'}} {{custom_attribute.${address.zip} | default: 'Unknown'}}", 'Paris Unknown'],
    ['{{api_trigger_properties.${details}.${color}}}', 'red'],
    ['{{api_trigger_properties.${related_skus}[0]}}', '123'],
    ['{% if custom_attribute.${most_played_song}[0].play_analytics.count > 999 %}fan{% endif %}', 'fan'],
  ])('%s → %s', async (template, expected) => {
    expect(await out(template, song)).toBe(expected);
  });

  it('plain Liquid keeps hash[0] as a lookup of key 0', async () => {
    expect(await out('[{{ h[0] }}][{{ custom_attribute.most_played_song[0].song_name }}]', { h: { a: 1 }, ...song })).toBe('[][]');
  });

  it('a missing nested attribute is named in the warning by its path', async () => {
    const result = await createLiquid().render('{{custom_attribute.${address.country}}}', song);
    expect(result.warnings).toEqual([expect.stringContaining('unknown attribute custom_attribute.${address.country}')]);
    expect((await createLiquid().render('{{custom_attribute.${address.city}}}', song)).warnings).toEqual([]);
  });
});

describe('&& and || in conditions (Braze lax parsing)', () => {
  it.each([
    ['{% if a && b %}y{% else %}n{% endif %}', { a: true, b: true }, 'y'],
    ['{% if a && b %}y{% else %}n{% endif %}', { a: true, b: false }, 'n'],
    ['{% if a || b %}y{% else %}n{% endif %}', { a: false, b: true }, 'y'],
    ['{% unless a && b %}y{% endunless %}', { a: true, b: false }, 'y'],
    ["{% if x == 1 %}{% elsif ${language} == 'en' && custom_attribute.${vip} %}en-vip{% endif %}", { language: 'en', custom_attribute: { vip: true } }, 'en-vip'],
    ["{% if s == 'a && b' %}quoted{% endif %}", { s: 'a && b' }, 'quoted'],
  ])('%s with %j → %s', async (template, context, expected) => {
    expect(await out(template, context)).toBe(expected);
  });
});

describe('nested {{ }} inside tags and filter arguments', () => {
  it('if, assign (both forms) as the docs show', async () => {
    expect(await out('{% if custom_attribute.${Number_Game_Attended} == 1 %}a{% endif %}')).toBe('a');
    expect(await out('{% if {{custom_attribute.${Number_Game_Attended}}} == 1 %}b{% endif %}')).toBe('b');
    expect(await out('{% assign value_one = {{custom_attribute.${one}}} %}{{value_one}}')).toBe('2');
    expect(await out('{% assign value_one = custom_attribute.${one} %}{{value_one}}')).toBe('2');
  });

  it('filter arguments with nested output, in tags and outputs', async () => {
    expect(
      await out('{% assign value_one = {{custom_attribute.${one}}} %}{% assign result = value_one | plus: {{custom_attribute.${two}}} %}{{result}}'),
    ).toBe('5');
    expect(
      await out('{% assign balance = {{custom_attribute.${current_rewards_balance}}} %}You have ${{custom_attribute.${giftcard_balance} | plus: {{balance}}}} to spend!'),
    ).toBe('You have $100 to spend!');
    expect(await out('{% assign new_points_balance = {{custom_attribute.${current_rewards_balance} | plus: 50}} %}{{new_points_balance}}')).toBe('130');
  });

  it('for loops over a nested output, with limit', async () => {
    const template = [
      '{% for items in {{custom_attribute.${Brands Viewed}}} limit:5 %}',
      "{% if {{items}} contains 'Converse' %}{% assign converse_viewer = true %}{% endif %}",
      '{% endfor %}',
      '{% if converse_viewer == true %}Sale on Converse!{% else %}{% abort_message() %}{% endif %}',
    ].join('');
    expect(await out(template)).toBe('Sale on Converse!');
    const other = await createLiquid().render(template, { custom_attribute: { 'Brands Viewed': ['Nike'] } });
    expect(other.aborted).toEqual({ reason: '' });
  });

  it('the rewards example aborts when the balance is not positive', async () => {
    const template = '{% if {{custom_attribute.${balance}}} > 0 %}Your rewards balance is {{custom_attribute.${balance}}}{% else %}{% abort_message() %}{% endif %}';
    expect(await out(template)).toBe('Your rewards balance is 12');
    const zero = await createLiquid().render(template, { custom_attribute: { balance: 0 } });
    expect(zero.aborted).toEqual({ reason: '' });
  });

  it('connected_content receives its markup with {{ }} kept and ${} rewritten', async () => {
    const engine = createLiquid();
    const seen: string[] = [];
    engine.liquid.registerTag('connected_content', {
      parse(token) {
        seen.push(token.args);
      },
      render() {
        return '';
      },
    });
    await engine.render('{% connected_content https://x.test/leads/{{${user_id}}} :save r %}', user);
    expect(seen).toEqual(['https://x.test/leads/{{user_id}} :save r']);
  });
});

// Braze's message_extras tag: renders nothing, records key/value pairs for the send, by the
// rules of Braze's "Message extras Liquid tag" page (first value of a repeated key wins,
// whitespace trimmed, string values only, 1,000 bytes in all).
import { describe, expect, it } from 'vitest';
import { createLiquid, MAX_MESSAGE_EXTRAS_BYTES, TemplateError } from '../../src/index.js';

const engine = createLiquid();

/** The error parsing `template` throws (undefined when it parses). */
const parseError = (template: string): unknown => {
  try {
    return void engine.parse(template);
  } catch (error) {
    return error;
  }
};

describe('message_extras', () => {
  it('renders nothing and records the pair', async () => {
    const result = await engine.render('Hi{% message_extras :key test :value 123 %} there', {});
    expect(result.output).toBe('Hi there');
    expect(result.messageExtras).toEqual({ test: '123' });
    expect(result.warnings).toEqual([]);
  });

  it('a render without the tag records nothing', async () => {
    expect((await engine.render('plain {{ 1 }}', {})).messageExtras).toEqual({});
  });

  it('records several tags in the order met', async () => {
    const template = '{% message_extras :key b :value 2 %}{% message_extras :key a :value 1 %}{% message_extras :key c :value 3 %}';
    const { messageExtras } = await engine.render(template, {});
    expect(Object.entries(messageExtras)).toEqual([['b', '2'], ['a', '1'], ['c', '3']]);
  });

  it('takes Liquid variables as key and value (Braze\'s example)', async () => {
    const template = "{% assign value = '123' %} {% assign key = 'test' %} {% message_extras :key {{key}} :value {{value}} %}";
    expect((await engine.render(template, {})).messageExtras).toEqual({ test: '123' });
  });

  it('reads attributes, filters and connected_content results inside the value', async () => {
    const template = [
      '{% message_extras :key name :value {{${first_name}}} %}',
      '{% message_extras :key tier :value {{custom_attribute.${tier} | upcase}} %}',
      '{% message_extras :key city :value {{ ${city} | default: "unknown" }} %}',
    ].join('');
    const result = await engine.render(template, { first_name: 'Ada', custom_attribute: { tier: 'gold' } });
    expect(result.messageExtras).toEqual({ name: 'Ada', tier: 'GOLD', city: 'unknown' });
    expect(result.output).toBe('');
  });

  it('a captured value (Braze\'s promotion code example)', async () => {
    const template = '{% capture code %}\n{{ "SAVE" | append: "10" }}\n{% endcapture %}Use {{code}}!{% message_extras :key cardscode :value {{code}} %}';
    const result = await engine.render(template, {});
    expect(result.messageExtras).toEqual({ cardscode: 'SAVE10' });
  });

  it('a quoted key or value is the string without its quotes', async () => {
    const template = `{% message_extras :key "rec1_url" :value "{{custom_attribute.\${url}}}" %}{% message_extras :key campaign_id :value 'spring_promo' %}`;
    const result = await engine.render(template, { custom_attribute: { url: 'https://shop.example/r1' } });
    expect(result.messageExtras).toEqual({ rec1_url: 'https://shop.example/r1', campaign_id: 'spring_promo' });
  });

  it('keeps a value of several words and trims leading and trailing whitespace', async () => {
    const result = await engine.render('{% message_extras :key note :value   {{ "  two words " }}  and more   %}', {});
    expect(result.messageExtras).toEqual({ note: 'two words   and more' });
  });

  it('a value with a lone apostrophe is text', async () => {
    expect((await engine.render("{% message_extras :key note :value it's here %}", {})).messageExtras).toEqual({ note: "it's here" });
  });

  it('a repeated key keeps the first value, with one warning', async () => {
    const template = '{% for i in (1..3) %}\n{% message_extras :key step :value {{ i }} %}{% endfor %}';
    const result = await engine.render(template, {});
    expect(result.messageExtras).toEqual({ step: '1' });
    expect(result.warnings).toEqual(['message_extras (line 2, column 1): key "step" is given again; the first value is kept']);
  });

  it('a key that renders empty is not recorded and is reported', async () => {
    const result = await engine.render('ok\n  {% message_extras :key {{ missing }} :value 1 %}', {});
    expect(result.messageExtras).toEqual({});
    expect(result.warnings).toEqual(['message_extras (line 2, column 3): the key renders empty; the pair is not recorded']);
  });

  it('an empty value is recorded as an empty string', async () => {
    expect((await engine.render('{% message_extras :key k :value {{ nothing }} %}', {})).messageExtras).toEqual({ k: '' });
  });

  it('only tags on the rendered path are recorded', async () => {
    const template = '{% if ${plan} == "pro" %}{% message_extras :key plan :value pro %}{% else %}{% message_extras :key plan :value free %}{% endif %}';
    expect((await engine.render(template, { plan: 'pro' })).messageExtras).toEqual({ plan: 'pro' });
    expect((await engine.render(template, {})).messageExtras).toEqual({ plan: 'free' });
  });

  it('an aborted render records none', async () => {
    const result = await engine.render('{% message_extras :key k :value v %}{% abort_message("not now") %}', {});
    expect(result.aborted).toEqual({ reason: 'not now' });
    expect(result.messageExtras).toEqual({});
  });

  it('pairs are recorded from Content Blocks too', async () => {
    const withBlocks = createLiquid({ contentBlocks: { tracking: '{% message_extras :key source :value block %}' } });
    const result = await withBlocks.render('x{{content_blocks.${tracking}}}', {});
    expect(result).toMatchObject({ output: 'x', messageExtras: { source: 'block' } });
  });

  it('each render starts with no pairs', async () => {
    const template = '{% message_extras :key who :value {{ ${first_name} }} %}';
    expect((await engine.render(template, { first_name: 'A' })).messageExtras).toEqual({ who: 'A' });
    expect((await engine.render(template, { first_name: 'B' })).messageExtras).toEqual({ who: 'B' });
  });

  it('a key named like an Object property stays an ordinary key', async () => {
    const { messageExtras } = await engine.render('{% message_extras :key __proto__ :value v %}', {});
    expect(Object.getPrototypeOf(messageExtras)).toBe(Object.prototype);
    expect(Object.keys(messageExtras)).toEqual(['__proto__']);
    expect(JSON.stringify(messageExtras)).toBe('{"__proto__":"v"}');
  });

  describe(`all keys and values hold ${MAX_MESSAGE_EXTRAS_BYTES} bytes`, () => {
    it('a pair that fits exactly is kept whole', async () => {
      const value = 'x'.repeat(MAX_MESSAGE_EXTRAS_BYTES - 1);
      const result = await engine.render(`{% message_extras :key k :value ${value} %}`, {});
      expect(result.messageExtras).toEqual({ k: value });
      expect(result.warnings).toEqual([]);
    });

    it('the value that crosses the bound is cut (never inside a character); later pairs are dropped', async () => {
      const template = [
        `{% message_extras :key first :value ${'a'.repeat(900)} %}`,
        `{% message_extras :key second :value ${'é'.repeat(100)} %}`,
        '{% message_extras :key third :value 3 %}',
      ].join('\n');
      const result = await engine.render(template, {});
      // 5 + 900 bytes used; "second" (6 bytes) leaves 89 bytes: 44 two-byte characters.
      expect(result.messageExtras).toEqual({ first: 'a'.repeat(900), second: 'é'.repeat(44) });
      expect(result.warnings).toEqual([
        'message_extras (line 2, column 1): keys and values may hold 1000 bytes in all; the value of "second" is cut to 88 bytes and later pairs are not recorded',
      ]);
    });

    it('a key that does not fit is dropped', async () => {
      const template = `{% message_extras :key k :value ${'a'.repeat(996)} %}{% message_extras :key long_key :value v %}`;
      const result = await engine.render(template, {});
      expect(Object.keys(result.messageExtras)).toEqual(['k']);
      expect(result.warnings).toEqual([
        'message_extras (line 1, column 1032): keys and values may hold 1000 bytes in all; "long_key" and any later pairs are not recorded',
      ]);
    });

    it('a loop past the bound warns once', async () => {
      const result = await engine.render('{% for i in (1..500) %}{% message_extras :key key_{{ i }} :value {{ i }} %}{% endfor %}', {});
      const bytes = Object.entries(result.messageExtras).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
      expect(bytes).toBeLessThanOrEqual(MAX_MESSAGE_EXTRAS_BYTES);
      expect(Object.keys(result.messageExtras).length).toBeGreaterThan(50);
      expect(result.warnings).toHaveLength(1);
    });
  });

  describe('bad markup is a parse error at the tag, in the author\'s words', () => {
    const USAGE = 'write it as {% message_extras :key name :value value %}';
    it.each([
      ['{% message_extras %}', `message_extras: :key and :value are missing; ${USAGE} (line 1, column 1)`],
      ['{% message_extras test 123 %}', `message_extras: expected :key and :value, got "test 123"; ${USAGE} (line 1, column 1)`],
      ['{% message_extras :value 123 :key test %}', `message_extras: :value comes before :key; ${USAGE} (line 1, column 1)`],
      ['{% message_extras :key test %}', `message_extras: :value is missing; ${USAGE} (line 1, column 1)`],
      ['{% message_extras :value 123 %}', `message_extras: :key is missing; ${USAGE} (line 1, column 1)`],
      ['{% message_extras :key test :vlaue 123 %}', `message_extras: unknown delimiter ":vlaue"; ${USAGE} (line 1, column 1)`],
      ['{% message_extras :keys test :value 123 %}', `message_extras: unknown delimiter ":keys"; ${USAGE} (line 1, column 1)`],
      ['{% message_extras note :key test :value 123 %}', `message_extras: unexpected "note" before :key; ${USAGE} (line 1, column 1)`],
      ['{% message_extras :key a :key b :value 1 %}', 'message_extras: :key is given twice (line 1, column 1)'],
      ['{% message_extras :key :value 123 %}', 'message_extras: :key needs a name (line 1, column 1)'],
      ['{% message_extras :key "" :value 123 %}', 'message_extras: :key needs a name (line 1, column 1)'],
      ['line one\n  {% message_extras :key test :value %}', 'message_extras: :value needs a value (line 2, column 3)'],
    ])('%j', (template, message) => {
      const error = parseError(template);
      expect(error).toBeInstanceOf(TemplateError);
      expect(error).toMatchObject({ message, kind: 'parse' });
    });

    it('a tag left open is reported like any other tag', () => {
      expect((parseError('{% message_extras :key k :value v }') as TemplateError).message).toBe('tag "{% message_extras :key k :value v }" is not closed with "%}" (line 1, column 1)');
    });
  });
});

import { describe, it, expect } from 'vitest';
import { AbortMessage, createLiquid, TemplateError } from '../../src/index.js';

describe('abort_message', () => {
  const engine = createLiquid();

  it.each([
    ['{% abort_message() %}', ''],
    ["{% abort_message('why') %}", 'why'],
    ['{% abort_message("why") %}', 'why'],
    ['{% abort_message %}', ''],
    ["{% abort_message 'bare string' %}", 'bare string'],
    ["{%- abort_message('trimmed') -%}", 'trimmed'],
    ["{% abort_message('not at threshold')%}", 'not at threshold'],
  ])('%s aborts with reason %j and emits nothing', async (tag, reason) => {
    const result = await engine.render(`before ${tag} after {{ "more" }}`, {});
    expect(result.aborted).toEqual({ reason });
    expect(result.output).toBe('');
  });

  it('takes its reason from a variable', async () => {
    const result = await engine.render('{% assign why = "language was nil" %}{% abort_message(why) %}', {});
    expect(result.aborted).toEqual({ reason: 'language was nil' });
  });

  it('aborts from inside nested blocks and loops, stopping the loop', async () => {
    const template = '{% for i in (1..5) %}{{ i }}{% if i == 2 %}{% unless false %}{% abort_message("at 2") %}{% endunless %}{% endif %}{% endfor %}';
    const result = await engine.render(template, {});
    expect(result).toMatchObject({ output: '', aborted: { reason: 'at 2' } });
  });

  it('language example: English speakers get the message, others abort', async () => {
    const template = "{% if ${language} == 'en' %}Send this message in English!{% else %}{% abort_message() %}{% endif %}";
    expect((await engine.render(template, { language: 'en' })).output).toBe('Send this message in English!');
    expect((await engine.render(template, { language: 'fr' })).aborted).toEqual({ reason: '' });
    expect((await engine.render(template, {})).aborted).toEqual({ reason: '' });
  });

  it('no abort field when the render completes', async () => {
    const result = await engine.render('{% if false %}{% abort_message("x") %}{% endif %}ok', {});
    expect(result.aborted).toBeUndefined();
    expect(result.output).toBe('ok');
  });

  it('ends the render where it aborts, also after an asynchronous call: later tags do not run', async () => {
    const urls: string[] = [];
    const fetching = createLiquid({
      connectedContent: {
        fetcher: async (req) => {
          urls.push(req.url);
          return { status: 200, headers: {}, body: '{"ok":true}' };
        },
      },
    });
    const template =
      '{% connected_content https://a.example/one :save one %}{% if one.ok %}{% capture x %}{% abort_message("stop") %}{% endcapture %}{% endif %}' +
      '{% connected_content https://a.example/two %}';
    const result = await fetching.render(template, {});
    expect(result).toMatchObject({ output: '', aborted: { reason: 'stop' } });
    expect(urls).toEqual(['https://a.example/one']);
    expect(result.connectedContent).toHaveLength(1);
  });

  it('passes through liquidjs unwrapped: no RenderError, no stack, no source excerpt', async () => {
    // liquidjs wraps any other error in a RenderError (a stack and an excerpt of the template);
    // an abort is a normal outcome, most renders of a scoring hand-off end in one.
    const template = '{% for i in (1..3) %}{% if i == 2 %}{% capture x %}{% abort_message("at 2") %}{% endcapture %}{% endif %}{% endfor %}';
    const thrown = await engine.liquid.parseAndRender(template, {}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(AbortMessage);
    expect(thrown).not.toBeInstanceOf(Error);
    expect((thrown as AbortMessage).reason).toBe('at 2');
    expect(String(thrown)).toBe('AbortMessage: aborted: at 2');
  });

  it('a malformed call is a parse error', () => {
    expect(() => engine.parse("{% abort_message('x' %}")).toThrow(TemplateError);
  });
});

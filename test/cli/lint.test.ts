// `liquidhook lint` as a child process: the findings CI gates on, their positions, --json.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, writeTemp } from './helpers.js';

const webhook = (headers: string[], body: string): string =>
  ['---', 'name: Lint sample', 'url: https://example.com/leads/{{${user_id}}}', 'method: POST', 'headers:', ...headers, '---', body, ''].join('\n');

describe('liquidhook lint', () => {
  const dir = tempDir();

  it('passes the shipped templates', async () => {
    const result = await runCli(['lint', 'templates']);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('2 file(s) checked: 0 error(s), 0 warning(s)');
  });

  it('finds a parse error with file:line:column', async () => {
    const path = writeTemp(dir, 'parse.webhook.liquid', webhook(['  Content-Type: application/json'], '{\n  "a": "{{ ${first_name} "\n}'));
    const result = await runCli(['lint', path]);
    expect(result.code).toBe(4);
    // The body starts on line 8; the unclosed output is on its second line, column 9.
    // The author's text (${first_name}, not the rewritten lookup) and only the output at fault.
    expect(result.stdout).toContain('parse.webhook.liquid:9:9: error syntax: body: output "{{ ${first_name} "" is not closed with "}}"');
  });

  it('checks content blocks: a missing block at its reference, a block that includes itself, samples rendered with the blocks', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'content-blocks'));
    writeTemp(root, 'content-blocks/footer.liquid', '-- {{${first_name}}}\n');
    const loop = writeTemp(root, 'content-blocks/loop.liquid', 'again\n  {{content_blocks.${loop}}}\n');
    const path = writeTemp(root, 'blocks.webhook.liquid', webhook(['  Content-Type: text/plain'], 'Hi {{content_blocks.${footer}}}\n{{content_blocks.${gone}}}'));
    const result = await runCli(['lint', root, '--json']);
    const { findings } = JSON.parse(result.stdout);
    expect(findings).toEqual([
      { file: path, line: 9, column: 1, severity: 'error', rule: 'content-block', message: `content block "gone" does not exist (no ${join(root, 'content-blocks', 'gone.liquid')})` },
      { file: loop, line: 2, column: 3, severity: 'error', rule: 'content-block', message: 'content block "loop" would include itself (loop → loop)' },
    ]);
    expect(result.code).toBe(4);
  });

  it('finds a Shopify filter Braze does not support, at its position, and warns about unknown ones', async () => {
    const path = writeTemp(dir, 'filters.liquid', 'Total: {{ 12 | money_with_currency }}\n{{ "x" | img_url: "small" }} {{ "y" | frobnicate }}');
    const result = await runCli(['lint', path, '--json']);
    expect(result.code).toBe(4);
    const { findings } = JSON.parse(result.stdout);
    expect(findings).toEqual([
      expect.objectContaining({ line: 1, column: 16, severity: 'error', rule: 'unsupported-filter' }),
      expect.objectContaining({ line: 2, column: 10, severity: 'error', rule: 'unsupported-filter' }),
      expect.objectContaining({ line: 2, column: 39, severity: 'warning', rule: 'unknown-filter' }),
    ]);
    expect(findings[1].message).toContain('img_url');
  });

  it('finds a body that is not JSON for some sample recipients', async () => {
    const path = writeTemp(
      dir,
      'json.webhook.liquid',
      webhook(['  Content-Type: application/json'], '{"score": {{custom_attribute.${lead score}}}, "name": "{{${first_name}}}"}'),
    );
    const result = await runCli(['lint', path, '--json']);
    expect(result.code).toBe(4);
    const json = JSON.parse(result.stdout);
    const messages = json.findings.filter((f: { rule: string }) => f.rule === 'invalid-json-body').map((f: { message: string }) => f.message);
    expect(messages.some((m: string) => m.includes('attributes missing'))).toBe(true);
    expect(messages.some((m: string) => m.includes('json_escape'))).toBe(true);
    expect(json.findings[0]).toMatchObject({ file: path, line: 8, column: 1, severity: 'error' });
    expect(Object.keys(json.findings[0]).sort()).toEqual(['column', 'file', 'line', 'message', 'rule', 'severity']);
  });

  it('a JSON body that always parses (escaped, defaulted) passes; a non-JSON content type is not checked', async () => {
    const good = writeTemp(
      dir,
      'good.webhook.liquid',
      webhook(['  Content-Type: application/json'], '{"score": {{custom_attribute.${lead score} | default: 0}}, "name": "{{${first_name} | json_escape}}"}'),
    );
    const form = writeTemp(dir, 'form.webhook.liquid', webhook(['  Content-Type: application/x-www-form-urlencoded'], 'name={{${first_name}}}'));
    const result = await runCli(['lint', good, form]);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });

  it('flags ${name} that is not a Braze default attribute; --disable skips the rule', async () => {
    const path = writeTemp(dir, 'attr.liquid', 'Hi {{${first_name}}} {{${lead_score}}}');
    const result = await runCli(['lint', path]);
    expect(result.code).toBe(4);
    expect(result.stdout).toContain(`${path}:1:24: error unknown-attribute: \${lead_score}`);
    const disabled = await runCli(['lint', path, '--disable', 'unknown-attribute']);
    expect(disabled.code).toBe(0);
  });

  it('reports a front matter error of a webhook file with its line', async () => {
    const path = writeTemp(dir, 'front.webhook.liquid', ['---', 'name: Bad method', 'url: https://example.com/', 'method: FETCH', '---', ''].join('\n'));
    const result = await runCli(['lint', path]);
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/front\.webhook\.liquid:4:\d+: error syntax: method: /);
  });

  it('usage errors exit 2; unreadable files exit 1', async () => {
    expect((await runCli(['lint'])).code).toBe(2);
    expect((await runCli(['lint', 'templates', '--disable', 'nope'])).code).toBe(2);
    const missing = await runCli(['lint', `${ROOT}/no-such.liquid`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such.liquid: cannot read file');
  });
});

// Pure parts of the CLI: field positions mapped into a .webhook.liquid file, and the filter scan.
import { describe, expect, it } from 'vitest';
import { fieldRefOf, webhookFileLocator } from '../../src/render/index.js';
import { findFilterUses } from '../../src/cli/lint/scan.js';

const FILE = [
  '---', //                                            1
  'name: Positions', //                                2
  'url: https://example.com/{{${user_id}}}', //        3
  'method: POST', //                                   4
  'headers:', //                                       5
  '  Authorization: |-', //                            6
  '    {% connected_content https://t.example :save r %}', // 7
  '     Bearer {{r.token}}', //                        8
  '  X-Quoted: "a {{ b }}"', //                        9
  '---', //                                            10
  '{', //                                              11
  '  "a": {{ x }}', //                                 12
  '}',
].join('\n');

describe('webhookFileLocator', () => {
  const locator = webhookFileLocator(FILE);
  it('maps the url, a block-scalar header, a quoted header and the raw body', () => {
    expect(locator.locate({ kind: 'url' }, 1, 21)).toEqual({ line: 3, column: 26 });
    expect(locator.locate({ kind: 'header', name: 'Authorization' }, 2, 9)).toEqual({ line: 8, column: 13 });
    expect(locator.locate({ kind: 'header', name: 'X-Quoted' }, 1, 3)).toEqual({ line: 9, column: 16 });
    expect(locator.locate({ kind: 'body' }, 2, 8)).toEqual({ line: 12, column: 8 });
  });
  it('points at the field itself when no position is known', () => {
    expect(locator.locate({ kind: 'body' }, 0, 0)).toEqual({ line: 11, column: 1 });
    expect(locator.locate({ kind: 'header', name: 'Authorization' }, 0, 0).line).toBe(6);
  });
  it('reads the field of a render error, including json_pairs labels', () => {
    expect(fieldRefOf('header:X-Quoted', 'x')).toEqual({ kind: 'header', name: 'X-Quoted' });
    expect(fieldRefOf('body', 'body pair 2 value: bad')).toEqual({ kind: 'pair', index: 1, part: 'value' });
    expect(fieldRefOf('body', 'bad')).toEqual({ kind: 'body' });
  });
});

describe('findFilterUses', () => {
  it('finds filters in output and tag markup, not in strings, raw or comments', () => {
    const text = '{{ a | upcase | img_url: "x|y" }}{% assign b = c | plus: 1 %}{% raw %}{{ d | nope }}{% endraw %}{% comment %}{{ e | no }}{% endcomment %}';
    expect(findFilterUses(text).map((u) => u.name)).toEqual(['upcase', 'img_url', 'plus']);
    expect(text.slice(findFilterUses(text)[1]!.offset).startsWith('img_url')).toBe(true);
  });
  it('reads only the {{ }} nested in connected_content markup', () => {
    const text = '{% connected_content https://x.example/?q={{ q | url_param_escape }}|z :save r %}';
    expect(findFilterUses(text).map((u) => u.name)).toEqual(['url_param_escape']);
  });
});

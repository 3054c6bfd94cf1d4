// Finds the filters a template applies (`| name`) with their offsets, in the template text as
// written: inside `{{ }}` and `{% %}` markup, outside quoted strings, skipping raw and comment
// blocks. connected_content and message_extras markup is text with Liquid inside, so only the
// `{{ }}` nested in it are read.

export interface FilterUse {
  name: string;
  /** Offset of the filter name in the template. */
  offset: number;
}

export function findFilterUses(template: string, base = 0): FilterUse[] {
  const uses: FilterUse[] = [];
  let i = 0;
  while (i < template.length) {
    const tag = template.indexOf('{%', i);
    const out = template.indexOf('{{', i);
    if (tag < 0 && out < 0) break;
    if (out >= 0 && (tag < 0 || out < tag)) {
      const close = template.indexOf('}}', out + 2);
      const end = close < 0 ? template.length : close;
      scanMarkup(template, out + 2, end, base, uses);
      i = close < 0 ? template.length : close + 2;
      continue;
    }
    const close = template.indexOf('%}', tag + 2);
    const end = close < 0 ? template.length : close;
    const markupStart = template[tag + 2] === '-' ? tag + 3 : tag + 2;
    const name = /^\s*(#|[\w-]+)/.exec(template.slice(markupStart, end))?.[1] ?? '';
    const after = close < 0 ? template.length : close + 2;
    if (name === 'raw' || name === 'comment') {
      const endTag = new RegExp(`\\{%-?\\s*end${name}\\s*-?%\\}`, 'g');
      endTag.lastIndex = after;
      const found = endTag.exec(template);
      i = found ? found.index + found[0].length : template.length;
    } else if (name === '#') {
      i = after;
    } else if (name === 'connected_content' || name === 'message_extras') {
      uses.push(...findFilterUses(template.slice(markupStart, end), base + markupStart));
      i = after;
    } else {
      scanMarkup(template, markupStart, end, base, uses);
      i = after;
    }
  }
  return uses;
}

function scanMarkup(text: string, from: number, to: number, base: number, uses: FilterUse[]): void {
  let quote: string | undefined;
  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '|') {
      const match = /^\|\s*([A-Za-z_][\w-]*)/.exec(text.slice(i, to));
      if (match) uses.push({ name: match[1]!, offset: base + i + match[0].length - match[1]!.length });
    }
  }
}

/** 1-based line and column of `offset` in `text`. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

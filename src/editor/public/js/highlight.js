// Liquid syntax highlighting as HTML, for the overlay behind a template textarea.
// Pure: no DOM, so it runs (and is tested) in Node as well.

/**
 * @typedef {{ type: string, start: number, end: number }} Token
 * Types: text, delim ({{ }} {% %}), tag (tag name), str, filter, attr (${...}), num, code, comment.
 */

const NAME = /[A-Za-z_][\w-]*/y;
const NUMBER = /-?\d+(?:\.\d+)?/y;

/** Split a template into tokens that cover it end to end, in order. */
export function tokenizeLiquid(source) {
  /** @type {Token[]} */
  const tokens = [];
  const push = (type, start, end) => {
    if (end <= start) return;
    const last = tokens.at(-1);
    if (last && last.type === type && last.end === start) last.end = end;
    else tokens.push({ type, start, end });
  };
  let i = 0;
  let textStart = 0;
  while (i < source.length) {
    const two = source.slice(i, i + 2);
    if (two === '{{' || two === '{%') {
      push('text', textStart, i);
      const close = two === '{{' ? '}}' : '%}';
      const end = findClose(source, i + 2, close);
      const isComment = two === '{%' && /^\{%-?\s*comment\s*-?%\}$/.test(source.slice(i, end));
      tokenizeMarkup(source, i, end, close, two === '{%', push);
      i = end;
      if (isComment) {
        const endTag = /\{%-?\s*endcomment\s*-?%\}/g;
        endTag.lastIndex = i;
        const found = endTag.exec(source);
        const stop = found ? found.index : source.length;
        push('comment', i, stop);
        i = stop;
      }
      textStart = i;
      continue;
    }
    if (two === '${') {
      push('text', textStart, i);
      const close = source.indexOf('}', i + 2);
      const stop = close < 0 ? source.length : close + 1;
      push('attr', i, stop);
      i = stop;
      textStart = i;
      continue;
    }
    i++;
  }
  push('text', textStart, source.length);
  return tokens;
}

/** End offset (exclusive) of a `{{ }}` / `{% %}` starting before `from`, skipping quoted strings. */
function findClose(source, from, close) {
  let quote = '';
  for (let j = from; j < source.length; j++) {
    const ch = source[j];
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (source.startsWith(close, j)) return j + 2;
  }
  return source.length;
}

function tokenizeMarkup(source, start, end, close, isTag, push) {
  let j = start + 2;
  if (source[j] === '-') j++;
  push('delim', start, j);
  const closeLen = source.startsWith(close, end - 2) ? (source[end - 3] === '-' ? 3 : 2) : 0;
  const bodyEnd = end - closeLen;
  let expectTagName = isTag;
  let afterPipe = false;
  while (j < bodyEnd) {
    const ch = source[j];
    if (/\s/.test(ch)) {
      push('code', j, j + 1);
      j++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const q = source.indexOf(ch, j + 1);
      const stop = q < 0 || q >= bodyEnd ? bodyEnd : q + 1;
      push('str', j, stop);
      j = stop;
      expectTagName = false;
      continue;
    }
    if (source.startsWith('${', j)) {
      const b = source.indexOf('}', j + 2);
      const stop = b < 0 || b >= bodyEnd ? bodyEnd : b + 1;
      push('attr', j, stop);
      j = stop;
      expectTagName = false;
      continue;
    }
    NAME.lastIndex = j;
    const name = NAME.exec(source);
    if (name && j + name[0].length <= bodyEnd) {
      const stop = j + name[0].length;
      push(expectTagName ? 'tag' : afterPipe ? 'filter' : 'code', j, stop);
      j = stop;
      expectTagName = false;
      afterPipe = false;
      continue;
    }
    NUMBER.lastIndex = j;
    const num = NUMBER.exec(source);
    if (num && j + num[0].length <= bodyEnd) {
      push('num', j, j + num[0].length);
      j += num[0].length;
      continue;
    }
    if (ch === '|') afterPipe = true;
    push('code', j, j + 1);
    j++;
  }
  push('delim', bodyEnd, end);
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/**
 * Highlighted HTML for `source`. `marks` are `{ start, end }` ranges (error positions) shown
 * underlined. Ends with a newline so a trailing empty line keeps its height in the overlay.
 */
export function highlightHtml(source, marks = []) {
  const tokens = tokenizeLiquid(source);
  const cuts = new Set([0, source.length]);
  for (const t of tokens) cuts.add(t.start).add(t.end);
  for (const m of marks) cuts.add(clamp(m.start, source)).add(clamp(m.end, source));
  const points = [...cuts].sort((a, b) => a - b);
  let html = '';
  let k = 0;
  for (let p = 0; p + 1 < points.length; p++) {
    const from = points[p];
    const to = points[p + 1];
    while (k < tokens.length && tokens[k].end <= from) k++;
    const type = tokens[k]?.type ?? 'text';
    const marked = marks.some((m) => clamp(m.start, source) <= from && to <= clamp(m.end, source));
    const classes = [type === 'text' ? '' : `tok-${type}`, marked ? 'err' : ''].filter(Boolean).join(' ');
    const text = escapeHtml(source.slice(from, to));
    html += classes ? `<span class="${classes}">${text}</span>` : text;
  }
  return `${html}\n`;
}

const clamp = (n, source) => Math.max(0, Math.min(n, source.length));

// Line/column arithmetic and the mapping of preview errors to the editor's fields. Pure.

/** Offset of a 1-based line and column in `text`, clamped to that line. */
export function offsetAt(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  const lineEnd = text.indexOf('\n', offset);
  const limit = lineEnd < 0 ? text.length : lineEnd;
  return Math.min(offset + Math.max(column - 1, 0), limit);
}

/** 1-based line and column of an offset. */
export function lineColumnAt(text, offset) {
  const lines = text.slice(0, Math.max(0, Math.min(offset, text.length))).split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/**
 * The range to underline for an error at line/column: the whole `{{ }}` / `{% %}` starting
 * there (up to the end of its line), else the word there; null for position 0 (no position).
 */
export function errorRange(text, line, column) {
  if (!(line > 0)) return null;
  const start = offsetAt(text, line, column);
  const lineEnd = (() => {
    const n = text.indexOf('\n', start);
    return n < 0 ? text.length : n;
  })();
  if (start >= text.length || start === lineEnd) {
    // Past the last character (e.g. an unclosed tag at the end): mark the last one on the line.
    const from = Math.max(0, Math.min(start, text.length) - 1);
    return { start: from, end: Math.max(from + 1, Math.min(start, text.length)) };
  }
  const opener = text.slice(start, start + 2);
  if (opener === '{{' || opener === '{%') {
    const close = text.indexOf(opener === '{{' ? '}}' : '%}', start + 2);
    return { start, end: close >= 0 && close < lineEnd ? close + 2 : lineEnd };
  }
  const word = /^[\w$.-]+/.exec(text.slice(start, lineEnd));
  return { start, end: start + (word ? word[0].length : 1) };
}

/**
 * Where a preview error belongs in the form. Fields are `url`, `header:<name>`, `body` (raw
 * body) and `pair:<index>:key|value` (JSON pairs, whose messages start "body pair N key: ").
 */
export function fieldOfError(error, bodyType) {
  if (error.field === 'body' && bodyType === 'json_pairs') {
    const m = /^body pair (\d+) (key|value): /.exec(error.message);
    if (m) return { fieldId: `pair:${Number(m[1]) - 1}:${m[2]}`, message: error.message.slice(m[0].length) };
  }
  return { fieldId: error.field, message: error.message };
}

/** Human label of a position, e.g. "line 3, column 7" (empty when there is none). */
export const positionLabel = (line, column) => (line > 0 ? `line ${line}, column ${column}` : '');

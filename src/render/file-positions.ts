// Maps a position inside one webhook field (url, a header, the body, a body pair) to the line
// and column of the `.webhook.liquid` file it came from, so errors read `file:line:column`.
import { LineCounter, isScalar, parseDocument, type Document } from 'yaml';

export type FieldRef =
  | { kind: 'url' }
  | { kind: 'header'; name: string }
  | { kind: 'body' }
  | { kind: 'pair'; index: number; part: 'key' | 'value' };

export interface FilePosition {
  line: number;
  column: number;
}

export interface FieldLocator {
  /** `line`/`column` are 1-based inside the field's template; 0 means "the field itself". */
  locate(field: FieldRef, line: number, column: number): FilePosition;
}

/** A locator for a plain `.liquid` file: the template is the whole file. */
export const identityLocator: FieldLocator = {
  locate: (_field, line, column) => ({ line: Math.max(line, 1), column: Math.max(column, 1) }),
};

export function webhookFileLocator(text: string): FieldLocator {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').split('\n');
  const close = lines.findIndex((line, i) => i > 0 && (line.trimEnd() === '---' || line.trimEnd() === '...'));
  const yamlText = close > 0 ? lines.slice(1, close).join('\n') : '';
  const bodyFirstLine = close > 0 ? close + 2 : lines.length;
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(yamlText, { lineCounter });
  // Front matter line n is file line n + 1 (the opening `---`).
  const at = (offset: number): FilePosition => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line + 1, column: pos.col };
  };

  return {
    locate(field, line, column) {
      if (field.kind === 'body' && !doc.has('body')) {
        return line > 0 ? { line: bodyFirstLine + line - 1, column: Math.max(column, 1) } : { line: bodyFirstLine, column: 1 };
      }
      const path =
        field.kind === 'url' ? ['url'] : field.kind === 'header' ? ['headers', field.name] : field.kind === 'pair' ? ['body', 'pairs', field.index, field.part] : ['body'];
      const node: unknown = doc.getIn(path, true);
      if (!isScalar(node) || !node.range) return { line: 1, column: 1 };
      const start = at(node.range[0]);
      if (line <= 0) return start;
      if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
        // Content starts on the line after the `|` indicator, indented by the block's indent.
        const firstContent = lines[start.line]; // 0-based index of the next file line
        const indent = firstContent === undefined ? 0 : firstContent.length - firstContent.trimStart().length;
        return { line: start.line + line, column: indent + Math.max(column, 1) };
      }
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
      return line === 1 ? { line: start.line, column: start.column + quoted + column - 1 } : { line: start.line + line - 1, column: Math.max(column, 1) };
    },
  };
}

/** The field a render error names: `url`, `header:<name>` or `body` (with a pair label in its message). */
export function fieldRefOf(field: string, message: string): FieldRef {
  if (field === 'url') return { kind: 'url' };
  if (field.startsWith('header:')) return { kind: 'header', name: field.slice('header:'.length) };
  const pair = /^body pair (\d+) (key|value): /.exec(message);
  if (pair) return { kind: 'pair', index: Number(pair[1]) - 1, part: pair[2] as 'key' | 'value' };
  return { kind: 'body' };
}

// The markup of Braze's `{% message_extras :key name :value value %}`, read as Braze documents it:
// `:key` first, then `:value`, each followed by text that may hold Liquid outputs
// (`:value {{${first_name}}}`). A key or value written in quotes is that string without them.
// Pure: the texts stay template source; the tag parses and renders them.
import { LIQUID_ERROR_CODES } from '../errors.js';

export const MESSAGE_EXTRAS_USAGE = 'write it as {% message_extras :key name :value value %}';

export class MessageExtrasSyntaxError extends Error {
  constructor(message: string) {
    super(`message_extras: ${message}`);
    this.name = 'MessageExtrasSyntaxError';
  }

  get code(): typeof LIQUID_ERROR_CODES.parse {
    return LIQUID_ERROR_CODES.parse;
  }
}

export interface MessageExtrasMarkup {
  /** Template source of the key and of the value (quotes taken off, whitespace trimmed). */
  key: string;
  value: string;
}

interface Delimiter {
  name: string;
  start: number;
  end: number;
}

const DELIMITER = /:([A-Za-z_][\w-]*)(?=\s|$)/y;

export function parseMessageExtrasMarkup(markup: string): MessageExtrasMarkup {
  const delimiters = findDelimiters(markup);
  if (delimiters.length === 0) {
    const text = markup.trim();
    throw new MessageExtrasSyntaxError(`${text ? `expected :key and :value, got "${shorten(text)}"` : ':key and :value are missing'}; ${MESSAGE_EXTRAS_USAGE}`);
  }
  const unknown = delimiters.find((d) => d.name !== 'key' && d.name !== 'value');
  if (unknown) throw new MessageExtrasSyntaxError(`unknown delimiter ":${unknown.name}"; ${MESSAGE_EXTRAS_USAGE}`);
  for (const name of ['key', 'value']) {
    if (delimiters.filter((d) => d.name === name).length > 1) throw new MessageExtrasSyntaxError(`:${name} is given twice`);
  }
  const key = delimiters.find((d) => d.name === 'key');
  const value = delimiters.find((d) => d.name === 'value');
  if (!key) throw new MessageExtrasSyntaxError(`:key is missing; ${MESSAGE_EXTRAS_USAGE}`);
  if (!value) throw new MessageExtrasSyntaxError(`:value is missing; ${MESSAGE_EXTRAS_USAGE}`);
  if (value.start < key.start) throw new MessageExtrasSyntaxError(`:value comes before :key; ${MESSAGE_EXTRAS_USAGE}`);
  const before = markup.slice(0, key.start).trim();
  if (before) throw new MessageExtrasSyntaxError(`unexpected "${shorten(before)}" before :key; ${MESSAGE_EXTRAS_USAGE}`);

  const keyText = markup.slice(key.end, value.start).trim();
  const valueText = markup.slice(value.end).trim();
  if (keyText === '' || unquote(keyText) === '') throw new MessageExtrasSyntaxError(':key needs a name');
  if (valueText === '') throw new MessageExtrasSyntaxError(':value needs a value');
  return { key: unquote(keyText), value: unquote(valueText) };
}

/** `:name` words that start after whitespace, outside `{{ }}` outputs and quoted strings. */
function findDelimiters(markup: string): Delimiter[] {
  const found: Delimiter[] = [];
  let i = 0;
  while (i < markup.length) {
    const c = markup[i]!;
    if (markup.startsWith('{{', i)) {
      const close = markup.indexOf('}}', i + 2);
      i = close < 0 ? markup.length : close + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      const close = markup.indexOf(c, i + 1);
      // A lone apostrophe ("it's") is text, not the start of a string.
      i = close < 0 ? i + 1 : close + 1;
      continue;
    }
    if (c === ':' && (i === 0 || /\s/.test(markup[i - 1]!))) {
      DELIMITER.lastIndex = i;
      const m = DELIMITER.exec(markup);
      if (m) {
        found.push({ name: m[1]!, start: i, end: i + m[0].length });
        i += m[0].length;
        continue;
      }
    }
    i++;
  }
  return found;
}

/** `"text"` or `'text'` → `text` (quotes inside `{{ }}` do not count); anything else as it is. */
function unquote(text: string): string {
  const q = text[0];
  if (q !== '"' && q !== "'") return text;
  const inner = text.slice(1, -1);
  if (text.length < 2 || !text.endsWith(q) || inner.replace(/\{\{[^]*?\}\}/g, '').includes(q)) return text;
  return inner;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

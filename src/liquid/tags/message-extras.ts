// Braze's `{% message_extras :key name :value value %}`: renders nothing and records a key/value
// pair for the send (Braze adds them to the send event; here the delivery log and the export
// stream). As Braze documents: the key and value may hold Liquid outputs, both are strings with
// leading and trailing whitespace taken off, a repeated key keeps the first value, and all keys
// and values together hold at most 1,000 bytes; what goes past that is truncated (with a warning).
import { Tag, type Context, type Liquid, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { newRenderState, renderStateOf, type MessageExtrasState, type RenderState } from '../render-state.js';
import { MessageExtrasSyntaxError, parseMessageExtrasMarkup } from './message-extras-markup.js';

/** Braze's bound on all the keys and values of one message, in UTF-8 bytes. */
export const MAX_MESSAGE_EXTRAS_BYTES = 1000;

export class MessageExtrasTag extends Tag {
  private readonly key: Template[];
  private readonly value: Template[];
  private readonly input: string;
  private readonly offset: number;

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    const markup = parseMessageExtrasMarkup(token.args);
    this.key = parsePart(liquid, markup.key, 'key');
    this.value = parsePart(liquid, markup.value, 'value');
    this.input = token.input;
    this.offset = token.begin;
  }

  *render(ctx: Context): Generator<unknown, void, unknown> {
    const key = ((yield this.liquid.renderer.renderTemplates(this.key, ctx)) as string).trim();
    const value = ((yield this.liquid.renderer.renderTemplates(this.value, ctx)) as string).trim();
    const state: RenderState = renderStateOf(ctx) ?? newRenderState();
    const extras = (state.messageExtras ??= emptyMessageExtras());
    const warning = recordMessageExtra(extras, key, value);
    if (warning) {
      const at = state.positionOf?.(this.input, this.offset);
      state.warnings.push(`message_extras${at ? ` (line ${at.line}, column ${at.column})` : ''}: ${warning}`);
    }
  }
}

export function registerMessageExtras(liquid: Liquid): void {
  liquid.registerTag('message_extras', MessageExtrasTag);
}

export function emptyMessageExtras(): MessageExtrasState {
  return { pairs: new Map(), bytes: 0, full: false, repeated: new Set() };
}

/**
 * Records one rendered pair by Braze's rules; returns what the author should be told, if
 * anything (a pair that is not recorded as written).
 */
export function recordMessageExtra(extras: MessageExtrasState, key: string, value: string): string | undefined {
  if (key === '') return 'the key renders empty; the pair is not recorded';
  if (extras.pairs.has(key)) {
    if (extras.repeated.has(key)) return undefined;
    extras.repeated.add(key);
    return `key "${shorten(key)}" is given again; the first value is kept`;
  }
  if (extras.full) return undefined;
  const keyBytes = Buffer.byteLength(key);
  const valueBytes = Buffer.byteLength(value);
  const room = MAX_MESSAGE_EXTRAS_BYTES - extras.bytes;
  if (keyBytes + valueBytes <= room) {
    extras.pairs.set(key, value);
    extras.bytes += keyBytes + valueBytes;
    return undefined;
  }
  extras.full = true;
  const limit = `keys and values may hold ${MAX_MESSAGE_EXTRAS_BYTES} bytes in all`;
  if (keyBytes >= room) return `${limit}; "${shorten(key)}" and any later pairs are not recorded`;
  const cut = truncateUtf8(value, room - keyBytes);
  extras.pairs.set(key, cut);
  extras.bytes += keyBytes + Buffer.byteLength(cut);
  return `${limit}; the value of "${shorten(key)}" is cut to ${Buffer.byteLength(cut)} bytes and later pairs are not recorded`;
}

/** The recorded pairs as a plain object, in the order they were met. */
export function messageExtrasRecord(extras: MessageExtrasState | undefined): Record<string, string> {
  // fromEntries defines own properties: a key such as "__proto__" stays an ordinary key.
  return extras ? Object.fromEntries(extras.pairs) : {};
}

function parsePart(liquid: Liquid, source: string, part: 'key' | 'value'): Template[] {
  try {
    return liquid.parse(source);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/, line:\d+, col:\d+$/, '');
    throw new MessageExtrasSyntaxError(`in the ${part}: ${reason}`);
  }
}

/** The longest start of `text` that fits in `bytes` UTF-8 bytes, never splitting a character. */
function truncateUtf8(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

// The syntax of Braze's references, read from the template as written: `${name}` attribute
// references (with Braze's nested forms) and `{{content_blocks.${name}}}` inclusions. Pure
// functions: the rewrite decides what to copy and replace.
import { BRAZE_FIRST_OR_SELF } from './braze-context.js';

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const NAMESPACE_CHAIN = /(?:^|[^\w.\]}-])((?:[A-Za-z_][A-Za-z0-9_-]*\.)+)$/;

/** One `${...}` reference found in the template (used for missing-attribute warnings). */
export interface AttributeReference {
  /** Lookup path from the render context, e.g. ['custom_attribute', 'lead score']; absent when dynamic. */
  path?: string[];
  /** The reference as written, e.g. `custom_attribute.${lead score}`. */
  text: string;
  /** Offset of the reference in the original template. */
  offset: number;
}

/** What a `${...}` at some offset stands for, and the Liquid that replaces it. */
export interface ParsedReference {
  reference: AttributeReference;
  /** The original text [replaceFrom, end) becomes `replacement`. */
  replaceFrom: number;
  end: number;
  replacement: string;
  /** The text between `${` and `}`, for messages. */
  inner: string;
}

/**
 * The `${...}` starting at `start` (markup from `segment` on is not yet copied, text at or past
 * `limit` is outside the markup), or undefined when it is not a reference.
 */
export function parseReference(src: string, start: number, limit: number, segment: number): ParsedReference | undefined {
  const close = src.indexOf('}', start + 2);
  if (close < 0 || close >= limit) return undefined;
  // Braze also accepts filters inside the braces: `${first_name | default: 'there'}`.
  const inner = src.slice(start + 2, close);
  const pipe = /\|\s*[A-Za-z_]/.exec(inner);
  const name = (pipe ? inner.slice(0, pipe.index) : inner).trim();
  const filters = pipe ? ` ${inner.slice(pipe.index)}` : '';
  if (!name || /[{\n\r]/.test(inner) || (name.includes('"') && name.includes("'"))) return undefined;
  const afterDot = start > segment && src[start - 1] === '.';
  const chain = afterDot ? NAMESPACE_CHAIN.exec(src.slice(Math.max(0, start - 200), start)) : null;
  const namespace = chain ? chain[1]!.slice(0, -1).split('.') : [];
  // `${address.city}` is the path address → city, as in Braze's nested-attribute examples.
  const segments = name.split('.').map((part) => part.trim());
  const keys = segments.every((part) => part !== '') ? segments : [name];
  const reference: AttributeReference = {
    path: !afterDot || chain ? [...namespace, ...keys] : undefined,
    text: `${chain ? chain[1] : ''}\${${name}}`,
    offset: start - (chain ? chain[1]!.length : 0),
  };
  // `${songs}[0]`: the first element of an array, an object attribute itself.
  const firstOrSelf = !filters && src.startsWith('[0]', close + 1);
  const end = firstOrSelf ? close + 4 : close + 1;
  const index = firstOrSelf ? `[${JSON.stringify(BRAZE_FIRST_OR_SELF)}]` : '';
  if (keys.every((key) => SIMPLE_NAME.test(key))) {
    return { reference, replaceFrom: start, end, replacement: keys.join('.') + index + filters, inner };
  }
  return { reference, replaceFrom: afterDot ? start - 1 : start, end, replacement: keys.map(bracketed).join('') + index + filters, inner };
}

/** `["lead score"]`, quoted with whichever quote the key does not contain. */
function bracketed(key: string): string {
  const quote = key.includes('"') ? "'" : '"';
  return `[${quote}${key}${quote}]`;
}

/** The tag a `{{content_blocks.${name}}}` inclusion becomes (see tags/content-block.ts). */
export const CONTENT_BLOCK_TAG = 'content_blocks';

/** A `{{content_blocks.${name}}}` inclusion: the whole output, with its whitespace control. */
export interface ContentBlockReference {
  name: string;
  /** Offset of the `{{` in the original template. */
  offset: number;
  end: number;
  trimLeft: boolean;
  trimRight: boolean;
}

const CONTENT_BLOCK = /\{\{(-?)\s*content_blocks\s*\.\s*\$\{([^{}\n]*)\}\s*(-?)\}\}/y;
const CONTENT_BLOCK_START = /\{\{-?\s*content_blocks\s*\.\s*\$\{/y;

/**
 * The inclusion whose `{{` is at `start`; `'filtered'` when it is followed by anything but `}}`
 * (a block is included as is; capture it to filter it), undefined when it is no inclusion.
 */
export function contentBlockAt(src: string, start: number): ContentBlockReference | 'filtered' | undefined {
  CONTENT_BLOCK.lastIndex = start;
  const m = CONTENT_BLOCK.exec(src);
  if (m) return { name: m[2]!.trim(), offset: start, end: start + m[0].length, trimLeft: m[1] === '-', trimRight: m[3] === '-' };
  CONTENT_BLOCK_START.lastIndex = start;
  return CONTENT_BLOCK_START.test(src) ? 'filtered' : undefined;
}

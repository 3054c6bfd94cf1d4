// Ruby Liquid semantics applied once to every parsed template (parse results are cached, so
// rendering pays nothing): range literals evaluate to ranges (`(1..5)` prints `1..5`, bounds
// coerced with to_i), whole float literals stay floats (`2.0`), and a block whose every branch is
// blank (whitespace, assign, capture, comments, blank blocks) writes none of its whitespace.
import { TokenKind, evalToken, toValue, type Context, type Template } from 'liquidjs';
import { RubyFloat, RubyRange } from './to-s.js';

/** Tags that never write output; a block made only of these and whitespace is blank. */
const BLANK_TAGS = new Set(['assign', 'capture', 'comment', '#', 'doc']);
/** Tags whose blankness is that of their bodies. */
const BLOCK_TAGS = new Set(['if', 'unless', 'case', 'for', 'tablerow', 'ifchanged', 'liquid']);
const SKIP_KEYS = new Set(['liquid', 'tokenizer', 'token', 'input', 'file', 'handler', 'parser', 'currentFile']);

interface TokenLike {
  kind: number;
  input: string;
  begin: number;
  end: number;
  content?: unknown;
  lhs?: unknown;
  rhs?: unknown;
  getText?: () => string;
}

interface TemplateLike {
  name?: string;
  str?: string;
  token?: { kind?: number };
  isIterationCounter?: boolean;
  blank?: boolean;
  [key: string]: unknown;
}

/** Ruby's RangeLookup#to_integer: nil and strings via to_i, integers as is, anything else fails. */
function rangeBound(value: unknown): number {
  const v = toValue(value);
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') {
    const match = /^\s*[+-]?\d+/.exec(v);
    return match ? Number.parseInt(match[0], 10) : 0;
  }
  if (typeof v === 'number' && Number.isInteger(v) && !(value instanceof RubyFloat)) return v;
  throw new Error('invalid integer');
}

/** Turns a liquidjs RangeToken, in place, into a value token that evaluates to a RubyRange. */
function rangeToRuby(token: TokenLike): void {
  const { lhs, rhs } = token;
  Object.assign(token, {
    kind: TokenKind.FilteredValue,
    filters: [],
    initial: {
      *evaluate(ctx: Context): Generator<unknown, RubyRange, unknown> {
        const low = rangeBound(yield evalToken(lhs as never, ctx));
        const high = rangeBound(yield evalToken(rhs as never, ctx));
        ctx.memoryLimit.use(high - low + 1);
        return new RubyRange(low, high);
      },
    },
  });
}

interface PropertyAccess {
  variable?: TokenLike & { literal?: string };
  props: unknown[];
}

/**
 * `x["first"]` looks up the key "first"; only `x.first` asks for the first element. The quoted
 * key becomes a String object, which lookups read as a key and never as first/last/size.
 */
function bracketKeys(token: PropertyAccess): void {
  for (const prop of token.props as TokenLike[]) {
    if (prop?.kind === TokenKind.Quoted && typeof prop.content === 'string') prop.content = new String(prop.content);
  }
}

/** `blank.foo`, `empty.x`: a keyword followed by a property names a variable, as in Ruby. */
function keywordAsVariable(token: PropertyAccess): void {
  const head = token.variable;
  if (!head || head.kind !== TokenKind.Literal || typeof head.literal !== 'string' || token.props.length === 0) return;
  head.content = head.literal;
  token.props.unshift(head);
  token.variable = undefined;
}

function isToken(value: object): value is TokenLike {
  const v = value as Partial<TokenLike>;
  return typeof v.kind === 'number' && typeof v.input === 'string' && typeof v.begin === 'number';
}

/** Rewrites range and float literal tokens anywhere under a parsed template. */
function rewriteTokens(node: unknown, seen: WeakSet<object>): void {
  if (node === null || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node) rewriteTokens(item, seen);
    return;
  }
  if (isToken(node)) {
    if (node.kind === TokenKind.Range) {
      rewriteTokens(node.lhs, seen);
      rewriteTokens(node.rhs, seen);
      rangeToRuby(node);
      return;
    }
    if (node.kind === TokenKind.PropertyAccess) {
      bracketKeys(node as unknown as PropertyAccess);
      keywordAsVariable(node as unknown as PropertyAccess);
    }
    if (node.kind === TokenKind.Number && typeof node.content === 'number' && Number.isInteger(node.content)) {
      if (/[.eE]/.test(node.input.slice(node.begin, node.end))) node.content = new RubyFloat(node.content);
      return;
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (!SKIP_KEYS.has(key) && typeof value === 'object') rewriteTokens(value, seen);
  }
}

/** The template lists a block tag holds: `templates`, `elseTemplates`, each branch's templates. */
function bodiesOf(tag: TemplateLike): TemplateLike[][] {
  const bodies: TemplateLike[][] = [];
  for (const [key, value] of Object.entries(tag)) {
    if (SKIP_KEYS.has(key) || !Array.isArray(value)) continue;
    if (key === 'branches') {
      for (const branch of value as { templates?: TemplateLike[] }[]) if (Array.isArray(branch?.templates)) bodies.push(branch.templates);
    } else if (value.every((t) => t !== null && typeof t === 'object' && 'token' in t)) {
      bodies.push(value as TemplateLike[]);
    }
  }
  return bodies;
}

const isHtml = (t: TemplateLike): boolean => t.token?.kind === TokenKind.HTML && typeof t.str === 'string';

/** Marks blank blocks and empties their whitespace; returns whether `tpl` writes nothing. */
function markBlank(tpl: TemplateLike): boolean {
  if (tpl.isIterationCounter) return true;
  if (isHtml(tpl)) return /^\s*$/.test(tpl.str!);
  if (typeof tpl.name !== 'string') return false;
  const bodies = bodiesOf(tpl);
  let blank = true;
  for (const body of bodies) for (const child of body) blank = markBlank(child) && blank;
  if (tpl.name === 'raw') blank = Array.isArray(tpl.tokens) && tpl.tokens.length === 0;
  else if (BLANK_TAGS.has(tpl.name)) blank = true;
  else if (!BLOCK_TAGS.has(tpl.name)) blank = false;
  else if (blank) for (const body of bodies) for (const child of body) if (isHtml(child)) child.str = '';
  // Read by inline error rendering: a blank tag's error writes nothing.
  tpl.blank = blank;
  return blank;
}

/** Applies the Ruby parse-time semantics to freshly parsed templates (in place). */
export function rubyParsed(templates: Template[]): Template[] {
  const seen = new WeakSet<object>();
  for (const tpl of templates) {
    rewriteTokens(tpl, seen);
    markBlank(tpl as unknown as TemplateLike);
  }
  return templates;
}

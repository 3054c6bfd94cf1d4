// `cycle` as Ruby Liquid parses it: `name: a, b` or `a, b`. Unnamed cycles of the same literals
// share one position; an unnamed cycle naming a variable has its own, per tag.
import { Tag, Tokenizer, evalToken, TokenKind, type Context, type Emitter, type Liquid, type TagToken, type TopLevelToken, type ValueToken } from 'liquidjs';
import { outputText } from '../to-s.js';

const QUOTED = `"[^"]*"|'[^']*'`;
const FRAGMENT = `(?:${QUOTED}|(?:[^\\s,|'"]|${QUOTED})+)`;
const NAMED = new RegExp(`^\\s*(${FRAGMENT})\\s*:\\s*([^]*)$`);
const SIMPLE = new RegExp(`^\\s*${FRAGMENT}`);
const FIRST_FRAGMENT = new RegExp(`\\s*(${FRAGMENT})`);
const LITERAL_KINDS = TokenKind.Quoted | TokenKind.Number | TokenKind.Literal;

let unnamedCycles = 0;

export class RubyCycleTag extends Tag {
  private readonly candidates: ValueToken[];
  private readonly group: ValueToken | string;

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    const markup = token.args;
    const parse = (text: string): ValueToken | undefined => new Tokenizer(text, liquid.options.operators).readValue();
    const named = NAMED.exec(markup);
    const list = named ? named[2]! : markup;
    if (!named && !SIMPLE.test(markup)) throw new Error(`Syntax Error in 'cycle' - Valid syntax: cycle [name :] var [, var2, var3 ...]`);
    this.candidates = list
      .split(',')
      .map((part) => FIRST_FRAGMENT.exec(part)?.[1])
      .filter((text): text is string => text !== undefined)
      .map((text) => parse(text))
      .filter((value): value is ValueToken => value !== undefined);
    if (this.candidates.length === 0) throw new Error(`Syntax Error in 'cycle' - Valid syntax: cycle [name :] var [, var2, var3 ...]`);
    if (named) this.group = parse(named[1]!)!;
    else if (this.candidates.every((c) => (c.kind & LITERAL_KINDS) !== 0)) this.group = this.candidates.map((c) => c.getText()).join(',');
    else this.group = `#unnamed-${++unnamedCycles}`;
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const key = typeof this.group === 'string' ? this.group : `named:${outputText(yield evalToken(this.group, ctx))}`;
    const positions = ctx.getRegister<Record<string, number>>('ruby-cycle', {});
    const index = positions[key] ?? 0;
    emitter.write(outputText(yield evalToken(this.candidates[index], ctx)));
    positions[key] = index + 1 >= this.candidates.length ? 0 : index + 1;
  }
}

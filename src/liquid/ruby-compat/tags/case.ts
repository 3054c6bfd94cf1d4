// `case` as Ruby Liquid runs it: each `when` value is its own condition, so a body renders once
// per matching value, and every `else` (there may be several) renders if no `when` before it
// matched.
import { Tag, Value, evalToken, type Context, type Emitter, type Liquid, type Parser, type TagToken, type Template, type TopLevelToken, type ValueToken } from 'liquidjs';
import { rubyEquals } from '../operators.js';

interface Branch {
  /** Undefined for an `else`. */
  values?: ValueToken[];
  templates: Template[];
}

export class RubyCaseTag extends Tag {
  private readonly value: Value;
  /** Named like liquidjs's so parse-time passes find the bodies. */
  readonly branches: Branch[] = [];

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    this.value = new Value(this.tokenizer.readFilteredValue(), liquid);
    let body: Template[] = [];
    const stream = parser
      .parseStream(remainTokens)
      .on('tag:when', (when: TagToken) => {
        const values: ValueToken[] = [];
        const { tokenizer } = when;
        while (!tokenizer.end()) {
          values.push(tokenizer.readValueOrThrow());
          tokenizer.skipBlank();
          if (tokenizer.peek() === ',') tokenizer.readTo(',');
          else tokenizer.readTo('or');
        }
        this.branches.push({ values, templates: (body = []) });
      })
      .on('tag:else', () => this.branches.push({ templates: (body = []) }))
      .on('tag:endcase', () => stream.stop())
      .on('template', (tpl: Template) => body.push(tpl))
      .on('end', () => {
        throw new Error(`tag ${token.getText()} not closed`);
      });
    stream.start();
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const renderer = this.liquid.renderer;
    const target = yield this.value.value(ctx, ctx.opts.lenientIf);
    let elseAllowed = true;
    for (const branch of this.branches) {
      if (!branch.values) {
        if (elseAllowed) yield renderer.renderTemplates(branch.templates, ctx, emitter);
        continue;
      }
      for (const token of branch.values) {
        if (rubyEquals(target, yield evalToken(token, ctx, ctx.opts.lenientIf))) {
          elseAllowed = false;
          yield renderer.renderTemplates(branch.templates, ctx, emitter);
        }
      }
    }
  }

  *children(): Generator<unknown, Template[], unknown> {
    return this.branches.flatMap((b) => b.templates);
  }
}

// Block tags whose Ruby behaviour liquidjs lacks: `ifchanged` (writes its body only when it
// differs from the last time), `comment` that nests (`{% comment %}{% comment %}…{% endcomment %}
// {% endcomment %}`), and `doc` (a comment for documentation, closed by the first enddoc).
import { Tag, type Context, type Emitter, type Liquid, type Parser, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { readBlockBody } from '../coerce.js';

const isTagNamed = (token: TopLevelToken, name: string): boolean => (token as Partial<TagToken>).name === name;

export class IfchangedTag extends Tag {
  readonly templates: Template[] = [];

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    readBlockBody(parser, remainTokens, token, 'endifchanged', this.templates);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const output = (yield this.liquid.renderer.renderTemplates(this.templates, ctx)) as string;
    if (output !== ctx.getRegister('ruby-ifchanged')) {
      ctx.setRegister('ruby-ifchanged', output);
      emitter.write(output);
    }
  }

  *children(): Generator<unknown, Template[], unknown> {
    return this.templates;
  }
}

/** Skips tokens up to the matching end tag, counting nested openers when asked to. */
function skipBody(token: TagToken, remainTokens: TopLevelToken[], end: string, nests?: string): void {
  let depth = 1;
  while (remainTokens.length) {
    const next = remainTokens.shift()!;
    if (nests && isTagNamed(next, nests)) depth++;
    else if (isTagNamed(next, end) && --depth === 0) return;
  }
  throw new Error(`tag ${token.getText()} not closed`);
}

export class NestingCommentTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    skipBody(token, remainTokens, 'endcomment', 'comment');
  }
  render(): void {}
}

export class DocTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    skipBody(token, remainTokens, 'enddoc');
  }
  render(): void {}
}

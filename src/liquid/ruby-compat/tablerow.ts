// `tablerow` with Ruby Liquid's exact markup: newlines after each <tr>, "</tr>\n" at the end,
// attributes coerced with to_i, cols: 0 meaning "never wrap", and break/continue honoured.
import { Drop, Hash, Tag, evalToken, type Context, type Emitter, type Liquid, type TagToken, type TopLevelToken, type Template, type ValueToken, type Parser } from 'liquidjs';
import { readBlockBody, rubyToInteger, toCollection } from './coerce.js';

class TablerowloopDrop extends Drop {
  index0 = 0;
  row = 1;
  col = 1;
  constructor(public readonly length: number, private readonly cols: number) {
    super();
  }
  get index(): number { return this.index0 + 1; }
  get rindex(): number { return this.length - this.index0; }
  get rindex0(): number { return this.length - this.index0 - 1; }
  get first(): boolean { return this.index0 === 0; }
  get last(): boolean { return this.index0 === this.length - 1; }
  get col0(): number { return this.col - 1; }
  get col_first(): boolean { return this.col === 1; }
  get col_last(): boolean { return this.col === this.cols; }
  increment(): void {
    this.index0++;
    if (this.col === this.cols) {
      this.col = 1;
      this.row++;
    } else {
      this.col++;
    }
  }
}

export class RubyTablerowTag extends Tag {
  private readonly variable: string;
  private readonly collection: ValueToken;
  private readonly args: Hash;
  private readonly templates: Template[] = [];

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remainTokens, liquid);
    const variable = this.tokenizer.readIdentifier();
    this.tokenizer.skipBlank();
    const predicate = this.tokenizer.readIdentifier();
    const collection = this.tokenizer.readValue();
    if (!variable.content || predicate.content !== 'in' || !collection) throw new Error(`illegal tag: ${token.getText()}`);
    this.variable = variable.content;
    this.collection = collection;
    this.args = new Hash(this.tokenizer, liquid.options.keyValueSeparator);
    readBlockBody(parser, remainTokens, token, 'endtablerow', this.templates);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const source = yield evalToken(this.collection, ctx);
    if (source === undefined || source === null || source === false) return;
    const args = (yield this.args.render(ctx)) as Record<string, unknown>;
    let items = toCollection(source);
    const from = 'offset' in args ? rubyToInteger(args.offset) : 0;
    const to = 'limit' in args ? from + rubyToInteger(args.limit) : undefined;
    // Ruby slices every collection but a string, which stays one cell whatever offset and limit say.
    if (typeof source !== 'string') items = items.slice(Math.max(from, 0), to === undefined ? undefined : Math.max(to, 0));
    const cols = 'cols' in args ? rubyToInteger(args.cols) : items.length;
    const loop = new TablerowloopDrop(items.length, cols);
    const scope: Record<string, unknown> = { tablerowloop: loop };
    const renderer = this.liquid.renderer;
    emitter.write('<tr class="row1">\n');
    ctx.push(scope);
    for (const item of items) {
      scope[this.variable] = item;
      emitter.write(`<td class="col${loop.col}">`);
      ctx.continueCalled = ctx.breakCalled = false;
      yield renderer.renderTemplates(this.templates, ctx, emitter);
      emitter.write('</td>');
      if (ctx.breakCalled) break;
      if (loop.col_last && !loop.last) emitter.write(`</tr>\n<tr class="row${loop.row + 1}">`);
      loop.increment();
    }
    ctx.continueCalled = ctx.breakCalled = false;
    ctx.pop();
    emitter.write('</tr>\n');
  }

  *children(): Generator<unknown, Template[], unknown> {
    return this.templates;
  }

  blockScope(): string[] {
    return [this.variable, 'tablerowloop'];
  }
}

// `for` as Ruby Liquid runs it: offset/limit through Utils.to_integer ("invalid integer"),
// `offset: continue`, a string is one item whatever offset and limit say, and every forloop
// knows its `parentloop` (the enclosing loop, even across an include).
import { Drop, ForTag, evalToken, type Context, type Emitter, type Template, type ValueToken } from 'liquidjs';
import { sliceCollection } from '../coerce.js';
import { toRubyInteger } from '../filters.js';

export class RubyForloopDrop extends Drop {
  index0 = 0;
  constructor(
    readonly name: string,
    readonly length: number,
    readonly parentloop: RubyForloopDrop | undefined,
  ) {
    super();
  }
  get index(): number {
    return this.index0 + 1;
  }
  get rindex(): number {
    return this.length - this.index0;
  }
  get rindex0(): number {
    return this.length - this.index0 - 1;
  }
  get first(): boolean {
    return this.index0 === 0;
  }
  get last(): boolean {
    return this.index0 === this.length - 1;
  }
}

interface ForFields {
  variable: string;
  collection: ValueToken;
  hash: { hash: Record<string, ValueToken | undefined> };
  templates: Template[];
  elseTemplates: Template[];
}

export const FOR_STACK = 'ruby-for-stack';

function* integerOption(token: ValueToken | undefined, ctx: Context): Generator<unknown, number | undefined, unknown> {
  const value = yield evalToken(token, ctx);
  return value === undefined || value === null ? undefined : toRubyInteger(value);
}

export class RubyForTag extends ForTag {
  override *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const self = this as unknown as ForFields;
    const renderer = this.liquid.renderer;
    const options = self.hash.hash;
    const name = `${self.variable}-${self.collection.getText()}`;
    const offsets = ctx.getRegister<Record<string, number>>('ruby-for-offsets', {});
    const continues = options.offset !== undefined && options.offset.getText() === 'continue';
    const from = continues ? (offsets[name] ?? 0) : ((yield* integerOption(options.offset, ctx)) ?? 0);
    const source = yield evalToken(self.collection, ctx);
    const limit = yield* integerOption(options.limit, ctx);
    const items = sliceCollection(source, from, limit === undefined ? undefined : from + limit);
    if ('reversed' in options) items.reverse();
    offsets[name] = from + items.length;
    if (items.length === 0) {
      yield renderer.renderTemplates(self.elseTemplates, ctx, emitter);
      return;
    }
    const stack = ctx.getRegister<RubyForloopDrop[]>(FOR_STACK, []);
    const forloop = new RubyForloopDrop(name, items.length, stack.at(-1));
    const scope: Record<string, unknown> = Object.create(null);
    scope.forloop = forloop;
    stack.push(forloop);
    ctx.push(scope);
    try {
      for (const item of items) {
        scope[self.variable] = item;
        ctx.continueCalled = ctx.breakCalled = false;
        yield renderer.renderTemplates(self.templates, ctx, emitter);
        if (ctx.breakCalled) break;
        forloop.index0++;
      }
    } finally {
      ctx.continueCalled = ctx.breakCalled = false;
      ctx.pop();
      stack.pop();
    }
  }
}


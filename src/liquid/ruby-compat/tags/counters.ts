// increment / decrement as Ruby Liquid keeps them: counters live in their own environment, so
// the caller's data of the same name does not start them (`decrement port` with port = 10
// prints -1) and a `render` partial starts from zero again.
import { DecrementTag, IncrementTag, type Context, type Emitter } from 'liquidjs';
import { RubyContext } from '../context.js';

function counters(ctx: Context): Record<string | symbol, unknown> {
  return ctx instanceof RubyContext ? ctx.counters : (ctx.environments as Record<string, unknown>);
}

function step(ctx: Context, name: string, by: 1 | -1): number {
  const scope = counters(ctx);
  const current = typeof scope[name] === 'number' ? (scope[name] as number) : 0;
  scope[name] = current + by;
  return current;
}

export class RubyIncrementTag extends IncrementTag {
  override render(ctx: Context, emitter: Emitter): void {
    emitter.write(String(step(ctx, (this as unknown as { variable: string }).variable, 1)));
  }
}

export class RubyDecrementTag extends DecrementTag {
  override render(ctx: Context, emitter: Emitter): void {
    emitter.write(String(step(ctx, (this as unknown as { variable: string }).variable, -1) - 1));
  }
}

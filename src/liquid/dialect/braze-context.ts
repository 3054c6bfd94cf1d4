// The liquidjs render context of one Braze-dialect render: it carries the render state (calls,
// warnings, limits, content blocks) as a field, and reads `${name}[0]` the way Braze does.
import type { Liquid } from 'liquidjs';
import { RubyContext } from '../ruby-compat/context.js';
import type { RenderState } from '../render-state.js';

/**
 * Property key the dialect rewrite puts where a `${...}` reference is followed by `[0]`. Braze's
 * nested-attribute docs read a single object attribute as `${most_played_song}[0].artist_name`:
 * `[0]` of an array is its first element and of an object the object itself. Plain Liquid's
 * `hash[0]` keeps its meaning (a lookup of key 0); only references written with `${}` get this.
 */
export const BRAZE_FIRST_OR_SELF = '\u0000[0]';

/** Ruby Liquid's variable rules (RubyContext) plus Braze's `${name}[0]`. */
export class BrazeContext extends RubyContext {
  constructor(
    env: object,
    liquid: Liquid,
    readonly renderState: RenderState,
  ) {
    super(env, liquid.options, { sync: false }, { liquid });
  }

  override readProperty(obj: Record<string | symbol, unknown>, key: unknown): unknown {
    // Keys may come wrapped in String objects (the Ruby rules keep a literal key's source form).
    if (!(key instanceof String ? key.valueOf() === BRAZE_FIRST_OR_SELF : key === BRAZE_FIRST_OR_SELF)) return super.readProperty(obj, key);
    if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) return obj;
    return super.readProperty(obj, 0);
  }
}

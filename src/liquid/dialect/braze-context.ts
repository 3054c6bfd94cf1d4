// The liquidjs render context of one Braze-dialect render: it carries the render state (calls,
// warnings, limits, content blocks) as a field, and reads `${name}[0]` the way Braze does.
import { Context, type Drop, type Liquid, type Scope } from 'liquidjs';
import type { RenderState } from '../render-state.js';

/**
 * Property key the dialect rewrite puts where a `${...}` reference is followed by `[0]`. Braze's
 * nested-attribute docs read a single object attribute as `${most_played_song}[0].artist_name`:
 * `[0]` of an array is its first element and of an object the object itself. Plain Liquid's
 * `hash[0]` keeps its meaning (a lookup of key 0); only references written with `${}` get this.
 */
export const BRAZE_FIRST_OR_SELF = '\u0000[0]';

export class BrazeContext extends Context {
  constructor(
    env: object,
    liquid: Liquid,
    readonly renderState: RenderState,
  ) {
    super(env, liquid.options, { sync: false }, { liquid });
  }

  override readProperty(obj: Scope, key: string | number | Drop): unknown {
    if (key !== BRAZE_FIRST_OR_SELF) return super.readProperty(obj, key);
    if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) return obj;
    return super.readProperty(obj, 0);
  }
}

// Per-render state shared between the engine and its tags/filters. It is stored on the root
// scope under a Symbol so that no template expression can read or overwrite it.
import type { CallRecord } from './types.js';

export const RENDER_STATE: unique symbol = Symbol.for('liquidhook.renderState');

export interface RenderState {
  calls: CallRecord[];
  warnings: string[];
  /** Loop iterations consumed so far (shared across nested loops). */
  loopIterations: number;
  /** Secret values met during the render (saved tokens, credentials) so logs and previews can redact them. */
  secrets?: Set<string>;
}

export function newRenderState(): RenderState {
  return { calls: [], warnings: [], loopIterations: 0, secrets: new Set() };
}

/** Find the render state from a liquidjs Context (tags and filters call this). */
export function renderStateOf(ctx: { environments: object }): RenderState | undefined {
  return (ctx.environments as Record<symbol, RenderState | undefined>)[RENDER_STATE];
}

/** Thrown by `abort_message`; the engine turns it into `RenderResult.aborted`. */
export class AbortMessage extends Error {
  constructor(
    public readonly reason: string,
    /** Set when a failure stopped the message rather than the template's own abort_message. */
    public readonly failure?: 'connected_content',
  ) {
    super(`aborted: ${reason}`);
    this.name = 'AbortMessage';
  }
}

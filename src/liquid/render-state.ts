// Per-render state shared between the engine and its tags/filters. It is stored on the root
// scope under a Symbol so that no template expression can read or overwrite it.
import type { Position } from './dialect/source-map.js';
import { LIQUID_ERROR_CODES } from './errors.js';
import type { CallRecord } from './types.js';

export const RENDER_STATE: unique symbol = Symbol.for('liquidhook.renderState');

export interface RenderState {
  calls: CallRecord[];
  warnings: string[];
  /** Loop iterations consumed so far (shared across nested loops). */
  loopIterations: number;
  /** Secret values met during the render (saved tokens, credentials) so logs and previews can redact them. */
  secrets?: Set<string>;
  /** Content Blocks being rendered, outermost first (nesting and cycles are checked against it). */
  contentBlocks?: string[];
  /** Where this render's blocks come from, when the render brings its own. */
  blockProvider?: (name: string) => string | undefined | Promise<string | undefined>;
  /** `message_extras` pairs recorded so far (see tags/message-extras.ts). */
  messageExtras?: MessageExtrasState;
  /**
   * Where a tag stands in the template as written, given its token's source and offset;
   * undefined for tokens of another template (a Content Block).
   */
  positionOf?: (input: string, offset: number) => Position | undefined;
}

/** The key/value pairs of one render's `message_extras` tags, and what was said about them. */
export interface MessageExtrasState {
  pairs: Map<string, string>;
  /** UTF-8 bytes of every recorded key and value. */
  bytes: number;
  /** The byte budget ran out: later pairs are dropped (said once). */
  full: boolean;
  /** Keys already warned about as repeated (each said once). */
  repeated: Set<string>;
}

export function newRenderState(): RenderState {
  return { calls: [], warnings: [], loopIterations: 0, secrets: new Set() };
}

/** Find the render state from a liquidjs Context (tags and filters call this). */
export function renderStateOf(ctx: { environments: object }): RenderState | undefined {
  // The engine's context carries it as a field; a context built by hand carries it in its scope.
  return (ctx as { renderState?: RenderState }).renderState ?? (ctx.environments as Record<symbol, RenderState | undefined>)[RENDER_STATE];
}

/**
 * Thrown by `abort_message`; the engine turns it into `RenderResult.aborted`. In lead scoring
 * most renders end here, so it is as cheap as a branch: it is not an Error (no stack is
 * captured) and it carries liquidjs's error mark, so liquidjs passes it through instead of
 * wrapping it in a RenderError with a stack and a source excerpt.
 */
export class AbortMessage {
  readonly name = 'AbortMessage';
  readonly message: string;

  constructor(
    public readonly reason: string,
    /** Set when a failure stopped the message rather than the template's own abort_message. */
    public readonly failure?: 'connected_content',
  ) {
    this.message = `aborted: ${reason}`;
  }

  get code(): typeof LIQUID_ERROR_CODES.abort {
    return LIQUID_ERROR_CODES.abort;
  }

  toString(): string {
    return `${this.name}: ${this.message}`;
  }
}

// The mark liquidjs's `LiquidError.is` tests (liquidjs rethrows what carries it unchanged).
Object.defineProperty(AbortMessage.prototype, '__liquidClass__', { value: 'LiquidError' });

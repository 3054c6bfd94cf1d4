// `abort_message` stops the message: nothing is sent. Braze documents `{% abort_message() %}`,
// `{% abort_message('reason') %}` and bare `{% abort_message %}`; the reason may also be any
// Liquid value (`{% abort_message(reason_var) %}`). The engine turns the AbortMessage into
// `RenderResult.aborted` with an empty output.
import { Tag, Value, type Context, type Liquid, type TagToken, type TopLevelToken } from 'liquidjs';
import { AbortMessage } from '../render-state.js';

export class AbortMessageTag extends Tag {
  private readonly reason?: Value;

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    const expression = reasonExpression(token.args);
    if (expression) this.reason = new Value(expression, liquid);
  }

  *render(ctx: Context): Generator<unknown, void, unknown> {
    const value = this.reason ? yield this.reason.value(ctx) : '';
    const abort = new AbortMessage(value === null || value === undefined ? '' : String(value));
    // The engine's driver ends the render at this yield; a driver that hands the value back
    // (liquidjs's own, e.g. `engine.liquid.parseAndRender`) gets it thrown.
    yield abort;
    throw abort;
  }
}

function reasonExpression(args: string): string {
  const text = args.trim();
  if (!text.startsWith('(')) return text;
  if (!text.endsWith(')')) throw new Error(`abort_message: missing ")" in "${text}"`);
  return text.slice(1, -1).trim();
}

export function registerAbortMessage(liquid: Liquid): void {
  liquid.registerTag('abort_message', AbortMessageTag);
}

// Ruby Liquid's Template#render (as opposed to render!): an error in a tag or an output writes
// "Liquid error (line 3): divided by 0" where that node stood and rendering goes on. A blank tag
// (assign, a block whose every branch is blank, …) records the error but writes nothing. Aborts
// and limits still end the render.
import type { Context, Emitter, Liquid, Template } from 'liquidjs';
import { LimitError } from '../errors.js';
import { AbortMessage } from '../render-state.js';
import { FileNestingError } from './tags/partials.js';
import { outputText } from './to-s.js';

interface Located {
  token?: { file?: string; getPosition?: () => number[] };
  blank?: boolean;
}

function chain(error: unknown): unknown[] {
  const errors: unknown[] = [];
  for (let e = error; e && errors.length < 20 && !errors.includes(e); e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause) {
    errors.push(e);
  }
  return errors;
}

function isFatal(errors: unknown[]): boolean {
  return errors.some((e) => e instanceof AbortMessage || e instanceof LimitError || /limit exceeded/.test((e as Error)?.message ?? ''));
}

function inlineText(root: unknown, tpl: Located): string {
  const message = (root instanceof Error ? root.message : String(root)).replace(/(, file:[^,]*)?, line:\d+, col:\d+$/, '');
  if (root instanceof FileNestingError) return `Liquid error: ${message}`;
  const line = tpl.token?.getPosition?.()[0];
  const file = tpl.token?.file;
  return line ? `Liquid error (${file ? `${file} ` : ''}line ${line}): ${message}` : `Liquid error: ${message}`;
}

class TextEmitter {
  buffer = '';
  write(html: unknown): void {
    this.buffer += typeof html === 'string' ? html : outputText(html);
  }
}

type RenderTemplates = (templates: Template[], ctx: Context, emitter?: Emitter) => Generator<unknown, string, unknown>;

export function renderErrorsInline(liquid: Liquid): void {
  const renderer = liquid.renderer as unknown as { renderTemplates: RenderTemplates };
  const base = renderer.renderTemplates.bind(renderer);
  renderer.renderTemplates = function* (templates, ctx, emitter) {
    const out = emitter ?? (new TextEmitter() as unknown as Emitter);
    for (const tpl of templates) {
      try {
        yield base([tpl], ctx, out);
      } catch (error) {
        const errors = chain(error);
        if (isFatal(errors)) throw error;
        if (!(tpl as Located).blank) out.write(inlineText(errors.at(-1), tpl as Located));
      }
      if (ctx.breakCalled || ctx.continueCalled) break;
    }
    return (out as unknown as { buffer: string }).buffer;
  };
}

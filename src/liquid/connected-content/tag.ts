// The liquidjs tag: parses its markup once, renders the Liquid inside the URL and option values
// in the current scope, runs the call and writes the result to the output or the scope.
import { Tag, type Context, type Emitter, type Liquid, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { newRenderState, renderStateOf, type RenderState } from '../render-state.js';
import type { ConnectedContentOptions } from '../types.js';
import { parseConnectedContentMarkup, type ConnectedContentSpec } from './markup.js';
import type { RenderedCall } from './request.js';
import { ConnectedContentRuntime, type AuthRef, type RuntimeDeps } from './runtime.js';

type Headers = { pairs: Array<[Template[], Template[]]> } | { raw: Template[] };

/** Register the tag on `liquid` with its own runtime (cache shared by all its renders). */
export function installConnectedContent(
  liquid: Liquid,
  options: ConnectedContentOptions = {},
  deps: RuntimeDeps = {},
): ConnectedContentRuntime {
  const runtime = new ConnectedContentRuntime(options, deps);

  class ConnectedContentTag extends Tag {
    private readonly spec: ConnectedContentSpec;
    private readonly url: Template[];
    private readonly body?: Template[];
    private readonly contentType?: Template[];
    private readonly headers?: Headers;
    private readonly auth?: AuthRef;

    constructor(token: TagToken, remainTokens: TopLevelToken[], engine: Liquid) {
      super(token, remainTokens, engine);
      this.spec = parseConnectedContentMarkup(token.args);
      this.url = engine.parse(this.spec.url);
      if (this.spec.body !== undefined) this.body = engine.parse(this.spec.body);
      if (this.spec.contentType !== undefined) this.contentType = engine.parse(this.spec.contentType);
      if (this.spec.headers !== undefined) this.headers = parseHeaders(engine, this.spec.headers);
      if (this.spec.basicAuth) this.auth = { kind: 'basic_auth', name: this.spec.basicAuth };
      if (this.spec.authCredentials) this.auth = { kind: 'auth_credentials', name: this.spec.authCredentials };
    }

    *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
      const render = (templates: Template[]) => this.liquid.renderer.renderTemplates(templates, ctx);
      const call: RenderedCall = {
        url: ((yield render(this.url)) as string).trim(),
        method: this.spec.method,
        headers: this.headers ? ((yield* renderHeaders(this.headers, render)) as Record<string, string>) : {},
      };
      if (this.body) call.body = (yield render(this.body)) as string;
      if (this.contentType) call.contentType = ((yield render(this.contentType)) as string).trim();
      if (this.auth) call.auth = { ...this.auth, credential: runtime.resolveCredential(this.auth) };

      const state: RenderState = renderStateOf(ctx) ?? newRenderState();
      const pending = runtime.execute(call, this.spec, state);
      const result = yield pending;
      if (result === pending) {
        pending.catch(() => {});
        throw new Error('connected_content needs asynchronous rendering (render/parseAndRender, not the *Sync variants)');
      }
      const { output, variable, value } = result as Awaited<typeof pending>;
      if (value !== undefined) ctx.bottom()[variable] = value;
      if (output) emitter.write(output);
    }
  }

  liquid.registerTag('connected_content', ConnectedContentTag);
  return runtime;
}

/**
 * Header JSON is parsed once with its Liquid kept per key and value, so a rendered value can
 * hold quotes; JSON that only becomes valid after rendering is parsed at render time.
 */
function parseHeaders(liquid: Liquid, source: string): Headers {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return { raw: liquid.parse(source) };
  }
  return { pairs: headerEntries(parsed).map(([name, value]) => [liquid.parse(name), liquid.parse(value)]) };
}

function* renderHeaders(
  headers: Headers,
  render: (templates: Template[]) => unknown,
): Generator<unknown, Record<string, string>, unknown> {
  const out: Record<string, string> = {};
  if ('raw' in headers) {
    const text = (yield render(headers.raw)) as string;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`connected_content: :headers must be a JSON object, got ${JSON.stringify(text.slice(0, 80))}`);
    }
    for (const [name, value] of headerEntries(parsed)) out[name] = value;
    return out;
  }
  for (const [name, value] of headers.pairs) out[(yield render(name)) as string] = (yield render(value)) as string;
  return out;
}

function headerEntries(parsed: unknown): Array<[string, string]> {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('connected_content: :headers must be a JSON object of header names to values');
  }
  return Object.entries(parsed).map(([name, value]) => {
    if (typeof value === 'object' && value !== null) throw new Error(`connected_content: header "${name}" must be a string`);
    return [name, String(value)];
  });
}

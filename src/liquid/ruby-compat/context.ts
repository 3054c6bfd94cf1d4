// The render context with Ruby Liquid's variable rules: `first`/`last`/`size` behave as Ruby's
// methods (a hash's first is its first [key, value] pair, an Integer's size is 8, a string has
// a first character), `self` reads the current scope by name, increment/decrement counters live
// in their own environment (assigns hide them, the caller's data does not), and `render` gets
// an isolated context that still sees the caller's data.
import { Context, Drop, toValue, type Liquid } from 'liquidjs';

type Scope = Record<string | symbol, unknown>;
type ContextInit = ConstructorParameters<typeof Context>;

interface ContextInternals {
  scopes: Scope[];
  registers: Record<string, unknown>;
}

/** Ruby Liquid's `self`: looks variables up by name in the scope it was taken from. */
export class SelfDrop extends Drop {
  constructor(private readonly context: Context) {
    super();
  }
  override liquidMethodMissing(key: string | number): unknown {
    return this.context._get([key]);
  }
  override toString(): string {
    return 'Liquid::SelfDrop';
  }
}

const own = (obj: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(obj, key);

export class RubyContext extends Context {
  /** `{% increment %}` / `{% decrement %}` counters (Ruby's first environment). */
  counters: Scope = Object.create(null) as Scope;
  /** How many partials deep this render is. */
  partialDepth = 0;
  /** Inside a `render` partial, where `include` is not allowed. */
  inRender = false;
  private selfScope?: Scope;

  constructor(...args: ContextInit) {
    super(...args);
  }

  override spawn(scope: object = {}): Context {
    return this.derive(scope);
  }

  /** Ruby's new_isolated_subcontext: the caller's data, no assigns, fresh registers. */
  isolated(): RubyContext {
    const child = this.derive(this.environments);
    child.partialDepth = this.partialDepth;
    child.inRender = this.inRender;
    return child;
  }

  private derive(environments: object): RubyContext {
    return new RubyContext(
      environments,
      this.opts,
      { sync: this.sync, globals: this.globals, strictVariables: this.strictVariables, ownPropertyOnly: this.ownPropertyOnly },
      { renderLimit: this.renderLimit, memoryLimit: this.memoryLimit, liquid: this.liquid },
    );
  }

  override readProperty(raw: Scope, rawKey: unknown): unknown {
    if (raw instanceof Drop || (raw !== null && typeof raw === 'object' && typeof (raw as { toLiquid?: unknown }).toLiquid === 'function')) {
      return super.readProperty(raw, rawKey as string);
    }
    const obj = raw as unknown;
    const key = toValue(rawKey) as unknown;
    if (obj === undefined || obj === null) return obj;
    if (Array.isArray(obj)) {
      if (typeof key === 'number') return obj.at(key);
      if (key === 'size') return obj.length;
      if (key === 'first') return obj[0];
      if (key === 'last') return obj.at(-1);
      return undefined;
    }
    if (typeof obj === 'object') {
      if (own(obj, key as PropertyKey)) return (obj as Scope)[key as string];
      if (this.ownPropertyOnly === false && (obj as Scope)[key as string] !== undefined) return (obj as Scope)[key as string];
      if (key === 'size') return Object.keys(obj).length;
      if (key === 'first') {
        const entry = Object.entries(obj)[0];
        return entry ? [entry[0], entry[1]] : undefined;
      }
      return undefined;
    }
    if (typeof obj === 'string') {
      if (key === 'size') return Array.from(obj).length;
      if (key === 'first') return Array.from(obj)[0];
      if (key === 'last') return Array.from(obj).at(-1);
      return undefined;
    }
    if (typeof obj === 'number' && key === 'size' && Number.isInteger(obj)) return 8;
    return undefined;
  }

  /** Scopes (innermost first), then counters, then the caller's data, then `self`, then globals. */
  findScopeFor(key: string): Scope {
    const { scopes } = this as unknown as ContextInternals;
    for (let i = scopes.length - 1; i >= 0; i--) if (key in scopes[i]!) return scopes[i]!;
    if (key in this.counters) return this.counters;
    if (key in this.environments) return this.environments as Scope;
    if (key === 'self') return (this.selfScope ??= { self: new SelfDrop(this) });
    return this.globals as Scope;
  }
}

// liquidjs declares findScope private; Ruby's lookup order replaces it.
Object.defineProperty(RubyContext.prototype, 'findScope', {
  value(this: RubyContext, key: string) {
    return this.findScopeFor(key);
  },
});

type RenderFn = Liquid['_render'];

/** Every render of this engine runs in a RubyContext. */
export function useRubyContext(liquid: Liquid): void {
  const render: RenderFn = liquid._render.bind(liquid);
  liquid._render = (templates, scope, renderOptions) =>
    render(templates, scope instanceof Context ? scope : new RubyContext(scope, liquid.options, renderOptions, { liquid }), renderOptions);
}

// The two engines the conformance run compares: the product engine and stock liquidjs. Both read
// a case's partials through liquidjs's in-memory file system, looked up like the reference
// runner's: names are case-insensitive and `.liquid` is optional.
import { Liquid } from 'liquidjs';
import { createLiquid } from '../../src/liquid/index.js';
import type { EngineFactory, SpecEngine } from './liquid-spec.js';

const normalise = (name: string): string => (name.toLowerCase().endsWith('.liquid') ? name : `${name}.liquid`).toLowerCase();

/** A MapFS mapping view over the case's files. */
function partialMap(files: Record<string, string>): Record<string, string> {
  const byName = new Map(Object.entries(files).map(([name, source]) => [normalise(name), source]));
  return new Proxy({} as Record<string, string>, {
    get: (_, key) => (typeof key === 'string' ? byName.get(normalise(key)) : undefined),
  });
}

interface MapFsHolder {
  options: { fs: { mapping?: Record<string, string> } };
}

function usePartials(liquid: Liquid, files: Record<string, string>): void {
  const fs = (liquid as unknown as MapFsHolder).options.fs;
  if (!('mapping' in fs)) throw new Error('the engine no longer reads partials from an in-memory map');
  fs.mapping = partialMap(files);
}

export const stockEngine: EngineFactory = () => {
  // A render time limit only so that the recursion cases end (stock recurses without bound).
  const liquid = new Liquid({ templates: {}, renderLimit: 2000 });
  return {
    parse: (template) => void liquid.parse(template),
    render: async (template, env, files) => {
      usePartials(liquid, files);
      return String(await liquid.parseAndRender(template, env));
    },
  };
};

/**
 * The product engine, createLiquid(), rendering as the service does; cases that expect errors in
 * the output use the same engine with its `inlineErrors` option.
 */
export async function productEngine(): Promise<EngineFactory> {
  return (opts): SpecEngine => {
    const raising = createLiquid({ now: opts.now });
    const inline = createLiquid({ now: opts.now, inlineErrors: true });
    return {
      parse: (template) => void raising.parse(template),
      render: async (template, env, files, inlineErrors) => {
        const engine = inlineErrors ? inline : raising;
        usePartials(engine.liquid, files);
        return (await engine.render(template, env)).output;
      },
    };
  };
}

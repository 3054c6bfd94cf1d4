// The two engines the conformance run compares: the product engine and stock liquidjs.
import { Liquid } from 'liquidjs';
import type { EngineFactory, SpecEngine } from './liquid-spec.js';

export const stockEngine: EngineFactory = () => {
  const liquid = new Liquid();
  return { render: async (template, env) => String(await liquid.parseAndRender(template, env)) };
};

interface ProductEngine {
  render(template: string, context: object): Promise<{ output: string }>;
}

/** The product engine, createLiquid(), rendering exactly as the service does. */
export async function productEngine(): Promise<EngineFactory> {
  const mod = (await import('../../src/liquid/index.js')) as { createLiquid: (o: { now: () => Date }) => ProductEngine };
  return (opts): SpecEngine => {
    const engine = mod.createLiquid({ now: opts.now });
    return { render: async (template, env) => (await engine.render(template, env)).output };
  };
}

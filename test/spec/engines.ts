// The two engines the conformance run compares: the product engine and stock liquidjs.
import { Liquid } from 'liquidjs';
import { createLiquid } from '../../src/liquid/index.js';
import type { EngineFactory, SpecEngine } from './liquid-spec.js';

export const stockEngine: EngineFactory = () => {
  const liquid = new Liquid();
  return { render: async (template, env) => String(await liquid.parseAndRender(template, env)) };
};

/** The product engine, createLiquid(), rendering exactly as the service does. */
export async function productEngine(): Promise<EngineFactory> {
  return (opts): SpecEngine => {
    const engine = createLiquid({ now: opts.now });
    return { render: async (template, env) => (await engine.render(template, env)).output };
  };
}

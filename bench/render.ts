// Section 1: render rate of the guide's Salesforce MQL webhook, verbatim, through the real
// render path (renderWebhookRequest), with the token request answered in memory so the figure
// is Liquid work. Baselines in the same run: stock liquidjs rendering the same logic written
// in plain Liquid, and brazejs rendering the same template verbatim.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Liquid } from 'liquidjs';
import { parseWebhookFile, resolvePlaceholders, substitutePlaceholders, type Webhook } from '../src/render/index.js';
import { compiled } from './lib/compiled.js';
import { median } from './lib/stats.js';

// The measured code comes from the build, as installed.
const { createLiquid } = await compiled<typeof import('../src/liquid/index.js')>('liquid/index.js');
const { buildLiquidContext, renderWebhookRequest } = await compiled<typeof import('../src/render/index.js')>('render/index.js');

const ROOT = join(import.meta.dirname, '..');
const INSTANCE = 'https://acme.my.salesforce.com';
const TOKEN_BODY = JSON.stringify({ access_token: '00Dxx!bench-token', instance_url: INSTANCE, token_type: 'Bearer' });

export function guideWebhook(): Webhook {
  const path = join(ROOT, 'templates/salesforce-mql-handoff.webhook.liquid');
  const file = parseWebhookFile(readFileSync(path, 'utf8'), path);
  const values = resolvePlaceholders(file.placeholders, {
    SALESFORCE_INSTANCE_URL: INSTANCE,
    SALESFORCE_CLIENT_ID: 'bench-client-id',
    SALESFORCE_CLIENT_SECRET: 'bench-client-secret',
  });
  return substitutePlaceholders(file.webhook, values.values);
}

/** The same logic in plain Liquid: the token arrives as a variable instead of a connected_content call. */
const PLAIN = {
  url: `${INSTANCE}/services/data/v60.0/sobjects/Lead/{{ user_id }}`,
  authorization: `{% assign result = token_response %}\n     Bearer {{ result.access_token }}`,
  contentType: 'application/json',
  body: `{% assign threshold = 100 %}\n{% if custom_attribute["lead score"] > threshold %}\n{\n"lead_status": "MQL"\n}\n{% else %}not at threshold\n{% endif %}`,
};

/** Lead score of render i: above the threshold (sent), below it (aborted), or alternating. */
export type RenderCase = 'pass' | 'abort' | 'mix';
const SCORE: Record<RenderCase, (i: number) => number> = {
  pass: (i) => 150 + (i % 50),
  abort: (i) => 50 + (i % 50),
  mix: (i) => (i % 2 === 0 ? 150 : 50) + (i % 50),
};

const context = (i: number, kind: RenderCase = 'pass') =>
  buildLiquidContext({ 'lead score': SCORE[kind](i), email: `u${i}@example.com` }, { externalId: `00Q${i}` });

async function ratePerSecond(seconds: number, once: (i: number) => Promise<unknown>): Promise<number> {
  let i = 0;
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  while (performance.now() < until) {
    // Batches of 100 keep the clock reads off the hot path.
    for (let k = 0; k < 100; k++) await once(i++);
  }
  return i / ((performance.now() - t0) / 1000);
}

export interface CaseFigures {
  liquidhook: number;
  liquidjs: number;
}

export interface RenderFigures extends CaseFigures {
  brazejs?: number;
  brazejsNote: string;
  sample: { url: string; authorization: string; body: string };
  /** Below the threshold: liquidhook ends in abort_message, stock liquidjs in the `else` branch. */
  abort: CaseFigures;
  /** Every other render aborts. */
  mix: CaseFigures;
}

export async function measureRender(seconds = 0.6, rounds = 9): Promise<RenderFigures> {
  const webhook = guideWebhook();
  const engine = createLiquid({
    connectedContent: { fetcher: async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: TOKEN_BODY }) },
  });
  const ours = (kind: RenderCase) => (i: number) => renderWebhookRequest(engine, webhook, context(i, kind));

  const stock = new Liquid({ jsTruthy: false, strictVariables: false, ownPropertyOnly: true, cache: true });
  const plain = [PLAIN.url, PLAIN.authorization, PLAIN.contentType, PLAIN.body].map((t) => stock.parse(t));
  const tokenResponse = JSON.parse(TOKEN_BODY) as object;
  const theirs = (kind: RenderCase) => async (i: number) => {
    const scope = { ...context(i, kind), token_response: tokenResponse };
    // Same work as a webhook render: every field, the header and URL trimmed.
    const [url, auth, type, body] = await Promise.all(plain.map((t) => stock.render(t, scope)));
    return { url: String(url).trim(), headers: { Authorization: String(auth).trim(), 'Content-Type': String(type).trim() }, body };
  };

  const braze = loadBrazejs();
  let brazeRender: ((i: number) => Promise<unknown>) | undefined;
  let brazejsNote = braze.note;
  if (braze.engine) {
    const fields = [webhook.url, webhook.headers.Authorization!, webhook.headers['Content-Type']!, (webhook.body as { text: string }).text];
    const parsed = fields.map((f) => braze.engine!.parse(f));
    brazeRender = async (i: number) => {
      const scope = context(i);
      const out = [];
      // Sequential: the header's :save must run before later fields in a shared scope.
      for (const t of parsed) out.push(await braze.engine!.render(t, scope));
      return out;
    };
    const out = (await brazeRender(0)) as string[];
    if (!out[1]!.includes('Bearer 00Dxx!bench-token') || !out[3]!.includes('"lead_status": "MQL"')) {
      brazejsNote = `brazejs rendered the template differently: ${JSON.stringify(out)}`;
      brazeRender = undefined;
    } else brazejsNote = 'renders the verbatim template (url, headers with connected_content, body)';
  }

  const sample = await ours('pass')(0);
  const aborted = await ours('abort')(0);
  if (!aborted.aborted) throw new Error('a score below the threshold did not abort');

  type Runner = [number[], (i: number) => Promise<unknown>];
  const runners: Record<string, Runner> = {};
  for (const kind of ['pass', 'abort', 'mix'] as const) {
    runners[`ours ${kind}`] = [[], ours(kind)];
    runners[`stock ${kind}`] = [[], theirs(kind)];
  }
  if (brazeRender) runners.braze = [[], brazeRender];
  const engines = Object.values(runners);
  // Warm-up so the JIT has settled for all of them.
  for (const [, render] of engines) await ratePerSecond(0.3, render);
  // Many short rounds, each engine first in turn: this machine's speed changes within seconds,
  // and a slow stretch should fall on every engine alike.
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < engines.length; k++) {
      const [rates, render] = engines[(r + k) % engines.length]!;
      rates.push(await ratePerSecond(seconds, render));
    }
  }
  const rate = (name: string): number => median(runners[name]![0]);
  const figures = (kind: RenderCase): CaseFigures => ({ liquidhook: rate(`ours ${kind}`), liquidjs: rate(`stock ${kind}`) });
  return {
    ...figures('pass'),
    abort: figures('abort'),
    mix: figures('mix'),
    ...(brazeRender ? { brazejs: rate('braze') } : {}),
    brazejsNote,
    sample: { url: sample.url, authorization: sample.headers.Authorization ?? '', body: sample.body },
  };
}

/** `npx tsx bench/render.ts`: section 1 alone. */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureRender(Number(process.env.BENCH_RENDER_SECONDS ?? 0.6), Number(process.env.BENCH_RENDER_ROUNDS ?? 9));
  const line = (what: string, f: CaseFigures) =>
    console.log(`${what.padEnd(34)} ${f.liquidhook.toFixed(0).padStart(7)}/s  stock ${f.liquidjs.toFixed(0).padStart(7)}/s  ${(f.liquidhook / f.liquidjs).toFixed(2)}x`);
  line('score 150 (sent)', r);
  line('score 50 (abort vs stock else)', r.abort);
  line('50/50 mix', r.mix);
}

interface BrazeEngine {
  parse(template: string): unknown;
  render(template: unknown, scope: object): Promise<string>;
}

/**
 * brazejs does its connected_content requests through request-promise-cache; that module is
 * replaced in the require cache by an in-memory token answer, as for our engine.
 */
function loadBrazejs(): { engine?: BrazeEngine; note: string } {
  try {
    const require = createRequire(import.meta.url);
    const brazeMain = require.resolve('brazejs');
    const rpPath = createRequire(brazeMain).resolve('request-promise-cache');
    const answer = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: TOKEN_BODY });
    require.cache[rpPath] = { id: rpPath, filename: rpPath, loaded: true, exports: answer } as unknown as NodeJS.Module;
    const BrazeLiquid = require(brazeMain) as new () => BrazeEngine;
    return { engine: new BrazeLiquid(), note: '' };
  } catch (error) {
    return { note: `brazejs could not be loaded: ${(error as Error).message}` };
  }
}

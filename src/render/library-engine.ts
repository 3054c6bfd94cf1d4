// The engine as the package exports it. The dialect engine (src/liquid) sends connected_content
// requests through whatever dispatcher it is given; for library use the calls go through the
// same SSRF guard as the service's, with the allowlist as an option instead of an environment
// variable, and a blocked call's message names that option.
import type { Dispatcher } from 'undici';
import { createGuardedAgent, parseAllowedHosts, type AllowList } from '../dispatch/index.js';
import { createLiquid as createEngine, type LiquidhookEngine, type LiquidhookOptions } from '../liquid/index.js';

export interface LibraryLiquidOptions extends LiquidhookOptions {
  /**
   * Destinations connected_content may reach although the SSRF guard blocks them (loopback,
   * private, link-local ...): hostnames (`*.example.com`), IPs or CIDR ranges, comma-separated,
   * as in LIQUIDHOOK_ALLOWED_HOSTS. Ignored when `connectedContent` brings a dispatcher or fetcher.
   */
  allowedHosts?: string;
}

/** How a block message tells a library user to allow a destination. */
export const LIBRARY_ALLOW_WITH = 'the allowedHosts option';

/** The allowlist option, its errors naming the option rather than the service's variable. */
export function parseAllowedHostsOption(value: string | undefined): AllowList {
  try {
    return parseAllowedHosts(value);
  } catch (error) {
    throw new RangeError((error as Error).message.replace(/^LIQUIDHOOK_ALLOWED_HOSTS:/, 'allowedHosts:'));
  }
}

// One guarded agent per allowlist, shared by the engines and previews that use it.
const agents = new Map<string, Dispatcher>();

export function guardedAgentFor(allowedHosts: string | undefined): Dispatcher {
  const key = allowedHosts?.trim() ?? '';
  let agent = agents.get(key);
  if (!agent) {
    agent = createGuardedAgent({ allowedHosts: parseAllowedHostsOption(key), allowWith: LIBRARY_ALLOW_WITH });
    agents.set(key, agent);
  }
  return agent;
}

/** A Braze-dialect engine whose connected_content calls pass the SSRF guard. */
export function createLiquid(options: LibraryLiquidOptions = {}): LiquidhookEngine {
  const { allowedHosts, ...engineOptions } = options;
  const connectedContent = options.connectedContent ?? {};
  if (connectedContent.dispatcher || connectedContent.fetcher) return createEngine(engineOptions);
  return createEngine({ ...engineOptions, connectedContent: { ...connectedContent, dispatcher: guardedAgentFor(allowedHosts) } });
}

// SSRF guard for every outbound request. The check runs at connect time on the addresses the
// socket will actually use (validated DNS answers, then the connected peer), so a name that
// resolves to a public address for a pre-check and to a private one later cannot slip through.
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';
import { EMPTY_ALLOWLIST, isAddressAllowlisted, isHostnameAllowed, normalizeAddress, parseAllowedHosts } from './allowlist.js';
import type { AllowList } from './allowlist.js';

const SERVICE_ALLOW_WITH = 'LIQUIDHOOK_ALLOWED_HOSTS';

export class SsrfBlockedError extends Error {
  readonly code = 'ERR_SSRF_BLOCKED';
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly range: string,
    /** What the reader sets to allow it: the service's variable, or the library's option. */
    allowWith: string = SERVICE_ALLOW_WITH,
  ) {
    const shown = describeAddress(address);
    super(
      hostname === address
        ? `blocked destination ${shown} (${range} address); allow it with ${allowWith}`
        : `blocked destination ${hostname} -> ${shown} (${range} address); allow it with ${allowWith}`,
    );
    this.name = 'SsrfBlockedError';
  }
}

/** `::ffff:7f00:1` reads better as `::ffff:7f00:1 (127.0.0.1)`. */
function describeAddress(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const normalized = normalizeAddress(ipaddr.parse(address)).toString();
  return normalized === address ? address : `${address} (${normalized})`;
}

/** The ipaddr.js range name that makes an address off-limits, or undefined if it may be used. */
export function blockedRange(address: string, allow: AllowList = EMPTY_ALLOWLIST): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const addr = normalizeAddress(ipaddr.parse(address));
  if (isAddressAllowlisted(allow, addr)) return undefined;
  const range = addr.range();
  // Only global unicast is reachable; everything else (loopback, private, link-local, CGNAT,
  // multicast, reserved, NAT64/6to4/Teredo that embed IPv4 targets, ...) is refused.
  return range === 'unicast' ? undefined : range;
}

/** Throws SsrfBlockedError when `address` may not be connected to. */
export function assertAddressAllowed(hostname: string, address: string, allow: AllowList): void {
  const range = blockedRange(address, allow);
  if (range !== undefined) throw new SsrfBlockedError(hostname, address, range);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

const systemLookup: LookupFunction = (hostname, options, callback) =>
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => callback(err, addresses));

/** A `net.connect` lookup that resolves every address and fails if any of them is blocked. */
export function createGuardedLookup(allow: AllowList, lookup: LookupFunction = systemLookup, allowWith = SERVICE_ALLOW_WITH): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, result) => {
      if (err) return callback(err, '');
      const addresses: LookupAddress[] = Array.isArray(result)
        ? result
        : [{ address: result, family: net.isIPv6(result) ? 6 : 4 }];
      if (!isHostnameAllowed(allow, hostname)) {
        for (const { address } of addresses) {
          const range = blockedRange(address, allow);
          if (range !== undefined) return callback(new SsrfBlockedError(hostname, address, range, allowWith) as NodeJS.ErrnoException, '');
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}

export interface GuardedAgentOptions {
  /** Parsed allowlist or the raw LIQUIDHOOK_ALLOWED_HOSTS string. */
  allowedHosts?: AllowList | string;
  connectTimeoutMs?: number;
  /** Max sockets per origin. */
  connections?: number;
  keepAliveTimeoutMs?: number;
  /** DNS resolution (tests substitute a fake resolver); the guard validates whatever it returns. */
  lookup?: LookupFunction;
  /** How a block message says to allow the destination (default: LIQUIDHOOK_ALLOWED_HOSTS). */
  allowWith?: string;
}

type ConnectFn = ReturnType<typeof buildConnector>;

/** An undici connector that refuses blocked destinations before and after the TCP connect. */
export function createGuardedConnector(options: GuardedAgentOptions = {}): ConnectFn {
  const allow = toAllowList(options.allowedHosts);
  const connect = buildConnector({
    timeout: options.connectTimeoutMs ?? 10_000,
    lookup: createGuardedLookup(allow, options.lookup, options.allowWith) as never,
  });
  return (opts, callback) => {
    const hostname = opts.hostname;
    const allowedByName = isHostnameAllowed(allow, hostname);
    if (!allowedByName && net.isIP(hostname)) {
      // Literal IPs skip DNS lookup entirely, so check them here, before any packet is sent.
      const range = blockedRange(hostname, allow);
      if (range !== undefined) {
        queueMicrotask(() => callback(new SsrfBlockedError(hostname, hostname, range, options.allowWith), null));
        return undefined as never;
      }
    }
    return connect(opts, (err, socket) => {
      if (err || !socket) return callback(err, null);
      const peer = socket.remoteAddress;
      const range = allowedByName ? undefined : peer ? blockedRange(peer, allow) : 'unknown';
      if (range !== undefined) {
        socket.destroy();
        return callback(new SsrfBlockedError(hostname, peer ?? 'unknown', range, options.allowWith), null);
      }
      callback(null, socket);
    });
  };
}

/** undici Agent (one pool per origin) whose every connection passes the SSRF guard. */
export function createGuardedAgent(options: GuardedAgentOptions = {}): Agent {
  return new Agent({
    connect: createGuardedConnector(options),
    connections: options.connections ?? null,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
  });
}

function toAllowList(value: AllowList | string | undefined): AllowList {
  if (value === undefined) return EMPTY_ALLOWLIST;
  return typeof value === 'string' ? parseAllowedHosts(value) : value;
}

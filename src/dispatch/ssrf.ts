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

/** `::7f00:1` reads better as `::7f00:1 (IPv4-compatible 127.0.0.1)`. */
function describeAddress(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const addr = ipaddr.parse(address);
  const normalized = normalizeAddress(addr);
  if (normalized !== addr) return `${address} (${normalized.toString()})`;
  const embedded = addr.kind() === 'ipv6' ? embeddedIPv4(addr as ipaddr.IPv6) : undefined;
  return embedded ? `${address} (${embedded.form} ${embedded.addresses.join(', ')})` : address;
}

interface Ipv4Embedding {
  form: string;
  prefix: ipaddr.IPv6;
  bits: number;
  /** The IPv4 addresses the form carries, from the address's 16 bytes. */
  ipv4(bytes: number[]): number[][];
}

const last32 = (bytes: number[]): number[][] => [bytes.slice(12, 16)];
const prefix = (text: string): ipaddr.IPv6 => ipaddr.IPv6.parse(text);

// Each of these reaches the IPv4 address it carries (a stack, translator or relay unwraps it),
// so it is as reachable as that address; IPv4-mapped is normalised to IPv4 before this.
const IPV4_EMBEDDINGS: readonly Ipv4Embedding[] = [
  { form: 'IPv4-compatible', prefix: prefix('::'), bits: 96, ipv4: last32 },
  { form: 'IPv4-translated', prefix: prefix('::ffff:0:0:0'), bits: 96, ipv4: last32 },
  { form: 'NAT64', prefix: prefix('64:ff9b::'), bits: 96, ipv4: last32 },
  { form: '6to4', prefix: prefix('2002::'), bits: 16, ipv4: (b) => [b.slice(2, 6)] },
  // Teredo: the server at bytes 4-7, the client (bit-inverted) at bytes 12-15.
  { form: 'Teredo', prefix: prefix('2001::'), bits: 32, ipv4: (b) => [b.slice(4, 8), b.slice(12, 16).map((x) => x ^ 0xff)] },
];

/** The IPv4 addresses an IPv6 address embeds, with the name of the form; undefined for plain IPv6. */
export function embeddedIPv4(addr: ipaddr.IPv6): { form: string; addresses: ipaddr.IPv4[] } | undefined {
  const own = addr.range();
  // `::` and `::1` lie in ::/96 but are IPv6's own unspecified and loopback addresses.
  if (own === 'unspecified' || own === 'loopback') return undefined;
  const embedding = IPV4_EMBEDDINGS.find((e) => addr.match(e.prefix, e.bits));
  if (!embedding) return undefined;
  const bytes = addr.toByteArray();
  return { form: embedding.form, addresses: embedding.ipv4(bytes).map((b) => new ipaddr.IPv4(b)) };
}

/** The ipaddr.js range name that makes an address off-limits, or undefined if it may be used. */
export function blockedRange(address: string, allow: AllowList = EMPTY_ALLOWLIST): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const addr = normalizeAddress(ipaddr.parse(address));
  if (isAddressAllowlisted(allow, addr)) return undefined;
  const embedded = addr.kind() === 'ipv6' ? embeddedIPv4(addr as ipaddr.IPv6) : undefined;
  if (embedded) {
    // An IPv4-embedding form is decided by what it carries: a 6to4 address of a public IPv4
    // passes, `::127.0.0.1` or NAT64 of 169.254.169.254 does not.
    for (const ipv4 of embedded.addresses) {
      const range = isAddressAllowlisted(allow, ipv4) ? 'unicast' : ipv4.range();
      if (range !== 'unicast') return range;
    }
    return undefined;
  }
  const range = addr.range();
  // Only global unicast is reachable; everything else (loopback, private, link-local, CGNAT,
  // multicast, reserved, local-use NAT64, ...) is refused.
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

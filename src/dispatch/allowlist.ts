// LIQUIDHOOK_ALLOWED_HOSTS: destinations exempt from the SSRF guard (hostnames, IPs, CIDRs).
import ipaddr from 'ipaddr.js';
import { CodedError } from '../errors/index.js';

export interface AllowList {
  /** Exact host names, lower-case, no trailing dot. */
  hostnames: ReadonlySet<string>;
  /** `*.example.com` entries stored as `.example.com`. */
  hostnameSuffixes: readonly string[];
  /** Address ranges; a single IP is stored as /32 or /128. */
  ranges: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

export const EMPTY_ALLOWLIST: AllowList = { hostnames: new Set(), hostnameSuffixes: [], ranges: [] };

const HOSTNAME = /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Parse a comma list such as `127.0.0.1,10.0.0.0/8,internal.example.com`. Throws on bad entries. */
export function parseAllowedHosts(value: string | undefined): AllowList {
  const hostnames = new Set<string>();
  const hostnameSuffixes: string[] = [];
  const ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (!entry) continue;
    if (entry.includes('/') && ipaddr.isValid(entry.slice(0, entry.indexOf('/')))) {
      try {
        const [addr, bits] = ipaddr.parseCIDR(entry);
        ranges.push([normalizeAddress(addr), addr.kind() === 'ipv6' && isMapped(addr) ? bits - 96 : bits]);
      } catch {
        throw new CodedError('LH_CONFIG_INVALID', `LIQUIDHOOK_ALLOWED_HOSTS: "${raw.trim()}" is not a valid CIDR range`);
      }
    } else if (ipaddr.isValid(entry)) {
      const addr = normalizeAddress(ipaddr.parse(entry));
      ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
    } else if (HOSTNAME.test(entry.replace(/\.$/, ''))) {
      const name = entry.replace(/\.$/, '');
      if (name.startsWith('*.')) hostnameSuffixes.push(name.slice(1));
      else hostnames.add(name);
    } else {
      throw new CodedError('LH_CONFIG_INVALID', `LIQUIDHOOK_ALLOWED_HOSTS: "${raw.trim()}" is not a hostname, IP address or CIDR range`);
    }
  }
  return { hostnames, hostnameSuffixes, ranges };
}

export function isHostnameAllowed(allow: AllowList, hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return allow.hostnames.has(name) || allow.hostnameSuffixes.some((suffix) => name.endsWith(suffix));
}

export function isAddressAllowlisted(allow: AllowList, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const addr = normalizeAddress(address);
  return allow.ranges.some(([base, bits]) => base.kind() === addr.kind() && addr.match(base, bits));
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it carries. */
export function normalizeAddress(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && isMapped(addr) ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

function isMapped(addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress();
}

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'undici';
import {
  SsrfBlockedError,
  blockedRange,
  createDispatcher,
  createGuardedAgent,
  deliverWithRetries,
  DEFAULT_RETRY_POLICY,
  parseAllowedHosts,
} from '../../src/dispatch/index.js';
import type { LookupFunction, WebhookDispatcher } from '../../src/dispatch/index.js';
import { reply, startServer } from './loopback.js';
import type { LoopbackServer } from './loopback.js';

let s: LoopbackServer;
const dispatchers: WebhookDispatcher[] = [];
function dispatcher(options: Parameters<typeof createDispatcher>[0] = {}): WebhookDispatcher {
  const d = createDispatcher({ timeoutMs: 3_000, connectTimeoutMs: 1_000, ...options });
  dispatchers.push(d);
  return d;
}

/** A resolver with fixed answers (no real DNS): lets tests play rebinding and internal names. */
function fakeDns(table: Record<string, string[]>): LookupFunction {
  return (hostname, _options, callback) => {
    const answers = table[hostname];
    if (!answers) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
    callback(null, answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
}

beforeAll(async () => {
  s = await startServer((_req, res) => reply(res, 200, 'reached'));
});
afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
  await s.close();
});

describe('blockedRange (ipaddr.js ranges)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['169.254.169.254', 'linkLocal'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:10.0.0.1', 'private'],
    // IPv4-embedding IPv6 forms are decided by the IPv4 address they carry.
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::a9fe:a9fe', 'linkLocal'],
    ['::a00:1', 'private'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'linkLocal'],
    ['64:ff9b:1::a00:1', 'rfc6052'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'linkLocal'],
    ['2002:c0a8:101:1::1', 'private'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'],
    ['2001:0:a00:1::f7f7:f7f7', 'private'],
  ])('%s is blocked as %s', (address, range) => {
    expect(blockedRange(address)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '93.184.216.34',
    '2606:4700:4700::1111',
    '::808:808',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7',
  ])('%s is public', (address) => {
    expect(blockedRange(address)).toBeUndefined();
  });

  it('an allowlisted IPv4 address also admits the IPv6 forms that embed it', () => {
    const allow = parseAllowedHosts('10.0.0.0/8');
    expect(blockedRange('64:ff9b::a00:1', allow)).toBeUndefined();
    expect(blockedRange('2002:a00:1::', allow)).toBeUndefined();
    expect(blockedRange('::7f00:1', allow)).toBe('loopback');
  });

  it('allowlisted IPs and CIDRs are let through, others in the same family are not', () => {
    const allow = parseAllowedHosts('127.0.0.1, 10.0.0.0/8, fd00::/8');
    expect(blockedRange('127.0.0.1', allow)).toBeUndefined();
    expect(blockedRange('::ffff:127.0.0.1', allow)).toBeUndefined();
    expect(blockedRange('127.0.0.2', allow)).toBe('loopback');
    expect(blockedRange('10.200.3.4', allow)).toBeUndefined();
    expect(blockedRange('fd00::5', allow)).toBeUndefined();
    expect(blockedRange('192.168.0.1', allow)).toBe('private');
  });
});

describe('parseAllowedHosts', () => {
  it('reads hostnames, wildcard names, IPs and CIDRs', () => {
    const allow = parseAllowedHosts(' 127.0.0.1,10.0.0.0/8 , Internal.Example.com., *.svc.local, [::1] ,');
    expect([...allow.hostnames]).toEqual(['internal.example.com']);
    expect(allow.hostnameSuffixes).toEqual(['.svc.local']);
    expect(allow.ranges.map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(['127.0.0.1/32', '10.0.0.0/8', '::1/128']);
  });
  it('empty or unset means nothing is allowlisted', () => {
    expect(parseAllowedHosts(undefined).ranges).toHaveLength(0);
    expect(parseAllowedHosts('').hostnames.size).toBe(0);
  });
  it('rejects bad entries with a clear message', () => {
    expect(() => parseAllowedHosts('10.0.0.0/40')).toThrow(/"10.0.0.0\/40" is not a valid CIDR range/);
    expect(() => parseAllowedHosts('http://x.com')).toThrow(/not a hostname, IP address or CIDR range/);
  });
});

describe('guarded dispatcher against a loopback server', () => {
  it('denies 127.0.0.1 without an allowlist, before any request reaches the server', async () => {
    const before = s.seen.length;
    const result = await dispatcher().send({ url: `${s.origin}/x`, idempotencyKey: 'k' });
    expect(result.error?.kind).toBe('ssrf_blocked');
    expect(result.error?.message).toContain('127.0.0.1');
    expect(s.seen.length).toBe(before);
  });

  it('denies localhost (a name resolving to loopback)', async () => {
    const result = await dispatcher().send({ url: `http://localhost:${s.port}/x`, idempotencyKey: 'k' });
    expect(result.error?.kind).toBe('ssrf_blocked');
    expect(result.error?.message).toMatch(/localhost -> (127\.0\.0\.1|::1)/);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    [`http://[::1]:1/x`, '::1'],
    [`http://[::ffff:127.0.0.1]:1/x`, '127.0.0.1'],
    [`http://[::127.0.0.1]:1/x`, 'IPv4-compatible 127.0.0.1'],
    [`http://[::a9fe:a9fe]:1/x`, 'IPv4-compatible 169.254.169.254'],
    [`http://[64:ff9b::a9fe:a9fe]:1/x`, 'NAT64 169.254.169.254'],
    [`http://[2002:7f00:1::1]:1/x`, '6to4 127.0.0.1'],
    [`http://10.0.0.1:1/x`, '10.0.0.1'],
    [`http://0.0.0.0:1/x`, '0.0.0.0'],
  ])('denies %s', async (url, shown) => {
    const result = await dispatcher().send({ url, idempotencyKey: 'k' });
    expect(result.error?.kind).toBe('ssrf_blocked');
    expect(result.error?.message).toContain(shown);
  });

  it('allows an allowlisted CIDR', async () => {
    const result = await dispatcher({ allowedHosts: '127.0.0.0/8' }).send({ url: `${s.origin}/ok`, idempotencyKey: 'k' });
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: 'reached' });
  });

  it('blocks a name whose DNS answers include a private address, even next to a public one', async () => {
    const lookup = fakeDns({ 'rebind.example': ['8.8.8.8', '127.0.0.1'] });
    const result = await dispatcher({ lookup }).send({ url: `http://rebind.example:${s.port}/x`, idempotencyKey: 'k' });
    expect(result.error?.kind).toBe('ssrf_blocked');
    expect(result.error?.message).toContain('rebind.example -> 127.0.0.1');
  });

  it('checks DNS on every connection, so a name that later resolves inward is still blocked', async () => {
    // `Connection: close` forces a fresh connect (and lookup) per request.
    const closing = await startServer((_req, res) => reply(res, 200, 'ok', { connection: 'close' }));
    try {
      const answers = ['127.0.0.1'];
      const lookup: LookupFunction = (_h, _o, cb) => cb(null, answers.map((address) => ({ address, family: 4 })));
      const d = dispatcher({ lookup, allowedHosts: '127.0.0.1' });
      expect((await d.send({ url: `http://flip.example:${closing.port}/a`, idempotencyKey: 'k' })).status).toBe(200);
      answers[0] = '169.254.169.254';
      const second = await d.send({ url: `http://flip.example:${closing.port}/b`, idempotencyKey: 'k' });
      expect(second.error?.kind).toBe('ssrf_blocked');
      expect(second.error?.message).toContain('flip.example -> 169.254.169.254');
      expect(closing.seen.map((r) => r.url)).toEqual(['/a']);
    } finally {
      await closing.close();
    }
  });

  it('an allowlisted hostname may resolve to an internal address', async () => {
    const lookup = fakeDns({ 'hooks.internal': ['127.0.0.1'] });
    const result = await dispatcher({ lookup, allowedHosts: 'hooks.internal' }).send({ url: `http://hooks.internal:${s.port}/x`, idempotencyKey: 'k' });
    expect(result.status).toBe(200);
  });

  it('the retry policy fails a blocked delivery at once (one attempt, no retries)', async () => {
    const report = await deliverWithRetries(dispatcher(), { url: `${s.origin}/x`, idempotencyKey: 'k' }, DEFAULT_RETRY_POLICY, {
      sleep: async () => {
        throw new Error('must not sleep');
      },
    });
    expect(report).toMatchObject({ status: 'failed', attempts: 1 });
    expect(report.reason).toMatch(/^ssrf_blocked: blocked destination 127\.0\.0\.1/);
  });
});

describe('createGuardedAgent as a plain undici dispatcher (connected_content)', () => {
  it('rejects with SsrfBlockedError for a loopback URL', async () => {
    const agent = createGuardedAgent({ connectTimeoutMs: 1000 });
    try {
      const err = await request(`${s.origin}/cc`, { dispatcher: agent }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SsrfBlockedError);
      expect((err as SsrfBlockedError).address).toBe('127.0.0.1');
    } finally {
      await agent.close();
    }
  });

  it('passes an allowlisted address through', async () => {
    const agent = createGuardedAgent({ allowedHosts: '127.0.0.1' });
    try {
      const res = await request(`${s.origin}/cc`, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('reached');
    } finally {
      await agent.close();
    }
  });
});

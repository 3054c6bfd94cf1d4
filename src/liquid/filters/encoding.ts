// Braze's hashing and encoding filters (and Shopify's URL-safe base64), computed with node:crypto
// over the UTF-8 text of the input.
import { createHash, createHmac } from 'node:crypto';
import type { FilterImplOptions } from 'liquidjs';
import { toText } from './text.js';

const digest = (algorithm: string) => (input: unknown) => createHash(algorithm).update(toText(input), 'utf8').digest('hex');

const hmac = (algorithm: string, encoding: 'hex' | 'base64') => (input: unknown, key: unknown) => {
  if (key === undefined || key === null) throw new Error(`hmac filter requires a secret key argument`);
  return createHmac(algorithm, toText(key)).update(toText(input), 'utf8').digest(encoding);
};

export const encodingFilters: Record<string, FilterImplOptions> = {
  md5: digest('md5'),
  sha1: digest('sha1'),
  sha2: digest('sha256'),
  sha256: digest('sha256'),
  sha512: digest('sha512'),
  base64_encode: (input: unknown) => Buffer.from(toText(input), 'utf8').toString('base64'),
  base64_decode: (input: unknown) => {
    const text = toText(input);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) throw new Error('invalid base64 provided to base64_decode');
    return Buffer.from(text, 'base64').toString('utf8');
  },
  // Ruby's Base64.urlsafe_encode64 / urlsafe_decode64 (padding optional when decoding).
  base64_url_safe_encode: (input: unknown) => Buffer.from(toText(input), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
  base64_url_safe_decode: (input: unknown) => {
    const text = toText(input);
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
      throw new Error('invalid base64 provided to base64_url_safe_decode');
    }
    return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  },
  hmac_sha1: hmac('sha1', 'hex'),
  hmac_sha1_hex: hmac('sha1', 'hex'),
  hmac_sha1_base64: hmac('sha1', 'base64'),
  hmac_sha256: hmac('sha256', 'hex'),
  hmac_sha256_hex: hmac('sha256', 'hex'),
  hmac_sha256_base64: hmac('sha256', 'base64'),
  hmac_sha512: hmac('sha512', 'hex'),
  hmac_sha512_hex: hmac('sha512', 'hex'),
  hmac_sha512_base64: hmac('sha512', 'base64'),
};

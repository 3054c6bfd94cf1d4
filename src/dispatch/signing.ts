// Standard Webhooks signatures (https://www.standardwebhooks.com):
// webhook-signature = "v1," + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)),
// where the key is the base64 part of a `whsec_<base64>` secret.
import { createHmac } from 'node:crypto';
import { CodedError } from '../errors/index.js';

export class SigningSecretError extends CodedError {
  constructor(message: string) {
    super('LH_SIGNING_SECRET_INVALID', message);
    this.name = 'SigningSecretError';
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Key bytes of a Standard Webhooks secret (`whsec_` prefix optional, the rest base64). */
export function decodeSigningSecret(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!encoded || !BASE64.test(encoded)) {
    throw new SigningSecretError('signing secret must be "whsec_" followed by base64 (Standard Webhooks format)');
  }
  return Buffer.from(encoded, 'base64');
}

export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', decodeSigningSecret(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers for one attempt. */
export function standardWebhookHeaders(secret: string, id: string, nowMs: number, body: string): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(secret, id, timestamp, body),
  };
}

// Time-ordered identifiers (UUID version 7 layout): ids sort by creation time, which gives the
// delivery log a stable newest-first order and a `beforeId` cursor without an extra column.
import { randomBytes } from 'node:crypto';

/** Random bytes drawn in blocks: one call into the CSPRNG per 256 ids instead of one per id. */
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** A fresh 16-byte buffer of random bytes (a copy: callers may write into it). */
function randomSixteen(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(16 * POOL_IDS);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return bytes;
}

let lastMs = 0;
let counter = 0;

export function newTimeOrderedId(nowMs: number = Date.now()): string {
  // A monotonic 12-bit counter keeps ids of the same millisecond in creation order.
  if (nowMs <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
  } else {
    lastMs = nowMs;
    counter = 0;
  }
  const bytes = randomSixteen();
  const ms = BigInt(lastMs);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Idempotency keys sent with every attempt of a delivery (and kept on replay). Time-ordered like
 * the ids (62 random bits besides the time and counter): new keys land at the end of the unique
 * index instead of on a random page of it, so a commit writes a page or two of that index rather
 * than one page per delivery.
 */
export function newIdempotencyKey(): string {
  return newTimeOrderedId();
}

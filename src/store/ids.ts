// Time-ordered identifiers (UUID version 7 layout): ids sort by creation time, which gives the
// delivery log a stable newest-first order and a `beforeId` cursor without an extra column.
import { randomBytes } from 'node:crypto';

/** Random bytes drawn in blocks: one call into the CSPRNG per 256 ids instead of one per id. */
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** Two hex digits per byte value: ids are built as text, with no Buffer or BigInt per id. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** `count` fresh random bytes from the pool, as hex; the first byte's top bits set to the RFC 9562 variant. */
function randomHex(count: number): string {
  if (poolOffset + count > pool.length) {
    pool = randomBytes(count * POOL_IDS);
    poolOffset = 0;
  }
  let hex = HEX[(pool[poolOffset]! & 0x3f) | 0x80]!;
  for (let i = 1; i < count; i++) hex += HEX[pool[poolOffset + i]!]!;
  poolOffset += count;
  return hex;
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
  // 48-bit milliseconds, version 7 with the counter, then the variant and 62 random bits.
  const time = lastMs.toString(16).padStart(12, '0');
  const random = randomHex(8);
  return `${time.slice(0, 8)}-${time.slice(8)}-${(0x7000 | counter).toString(16)}-${random.slice(0, 4)}-${random.slice(4)}`;
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

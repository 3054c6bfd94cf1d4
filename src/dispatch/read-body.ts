// Read at most `cap` bytes of a response body, then let the rest go.
import type { Readable } from 'node:stream';

export interface CappedBody {
  text: string;
  truncated: boolean;
  bytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export async function readBodyCapped(body: Readable, cap: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (kept < cap) {
      const slice = buf.subarray(0, cap - kept);
      chunks.push(slice);
      kept += slice.length;
    }
    // Past the cap: drain small remainders (keeps the connection reusable), abandon big ones.
    if (total > cap + 64 * 1024) break;
  }
  // Cut on a character boundary so a multi-byte sequence is not mangled at the end.
  const text = utf8.decode(Buffer.concat(chunks)).replace(/\uFFFD$/, '');
  return { text, truncated: total > kept, bytes: total };
}

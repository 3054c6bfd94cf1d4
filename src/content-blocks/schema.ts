// A Content Block as the API and the store take it, with Braze's limits: a name of letters,
// digits, `-` and `_` (at most 100 characters), a description under 250 characters, content up to
// 50 KB. That the content parses, and includes no block that includes it back, is checked by
// validate.ts (it needs the other blocks).
import { z } from 'zod';
import { CONTENT_BLOCK_NAME } from '../liquid/index.js';

export const MAX_CONTENT_BLOCK_BYTES = 50 * 1024;

export const ContentBlockNameSchema = z
  .string()
  .regex(CONTENT_BLOCK_NAME, 'a content block name is 1 to 100 letters, digits, - or _')
  .describe('The name templates use: {{content_blocks.${name}}}');

export const ContentBlockInputSchema = z
  .object({
    description: z.string().max(250, 'description must be at most 250 characters').optional(),
    content: z
      .string()
      .refine((text) => Buffer.byteLength(text, 'utf8') <= MAX_CONTENT_BLOCK_BYTES, `content must be at most ${MAX_CONTENT_BLOCK_BYTES / 1024} KB`)
      .describe('Liquid, rendered where the block is included, in the message scope'),
  })
  .strict();

export type ContentBlockInput = z.output<typeof ContentBlockInputSchema>;

export interface ContentBlock {
  name: string;
  description?: string;
  content: string;
  /** `file`: templates/content-blocks/<name>.liquid (edited in the file); `api`: stored. */
  source: 'file' | 'api';
  /** The file of a file block. */
  file?: string;
  createdAt?: string;
  updatedAt?: string;
}

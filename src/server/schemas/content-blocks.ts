// What the /content-blocks routes take and answer, from the block schema itself (OpenAPI, and
// checked on the way out).
import { z } from 'zod';
import { ContentBlockInputSchema, ContentBlockNameSchema, type ContentBlock } from '../../content-blocks/index.js';
import { Timestamp } from './common.js';

export const ContentBlockNameParams = z.object({ name: ContentBlockNameSchema });

export const ContentBlockViewSchema = ContentBlockInputSchema.safeExtend({
  name: z.string(),
  liquid_tag: z.string().describe('What a template writes to include the block'),
  source: z.enum(['file', 'api']).describe('file: kept in templates/content-blocks/ (edit the file); api: stored through this API'),
  file: z.string().nullable().describe('The file of a file block'),
  created_at: Timestamp.nullable(),
  updated_at: Timestamp.nullable(),
}).describe('A content block');

export const ContentBlockListSchema = z.object({ content_blocks: z.array(ContentBlockViewSchema) });

export function contentBlockView(block: ContentBlock): z.output<typeof ContentBlockViewSchema> {
  return {
    name: block.name,
    ...(block.description === undefined ? {} : { description: block.description }),
    content: block.content,
    liquid_tag: `{{content_blocks.\${${block.name}}}}`,
    source: block.source,
    file: block.file ?? null,
    created_at: block.createdAt ?? null,
    updated_at: block.updatedAt ?? null,
  };
}

// Braze's Content Blocks for the service: named pieces of Liquid kept as files or stored through
// the API, validated where they are written, handed to every engine as its contentBlocks option.
export { ContentBlockRegistry } from './registry.js';
export type { RegistryLogger } from './registry.js';
export { ContentBlockInputSchema, ContentBlockNameSchema, MAX_CONTENT_BLOCK_BYTES } from './schema.js';
export type { ContentBlock, ContentBlockInput } from './schema.js';
export { ContentBlockError, contentIssues, cycleBack } from './validate.js';
export type { BlockIssue, BlockLookup } from './validate.js';
export { CONTENT_BLOCKS_FOLDER, ContentBlockFilesError, contentBlocksDir, readBlockFiles } from './files.js';
export type { BlockFile, BlockFileIssue } from './files.js';

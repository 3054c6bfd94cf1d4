// Stored definitions (campaigns, scoring programs, table syncs) and named cursors.
import type { Attributes } from './json.js';

export interface StoredCampaign {
  id: string;
  definition: Attributes; // validated by the campaign zod schema before it is stored
  createdAt: string;
  updatedAt: string;
}

/** Kinds of definition kept by `putDefinition` (validated by their zod schema before they are stored). */
export type DefinitionKind = 'scoring_program' | 'sync' | 'content_block';

export interface StoredDefinition {
  kind: DefinitionKind;
  id: string;
  definition: Attributes;
  createdAt: string;
  updatedAt: string;
}

/** A named position (sync watermark, exporter position) moved by compare-and-set. */
export interface CursorMove {
  name: string;
  /** The value the cursor must hold now (null: not set yet); otherwise CursorConflictError. */
  expected: string | null;
  value: string;
}

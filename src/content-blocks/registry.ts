// The Content Blocks in force, kept in memory because every render that includes one asks for it:
// files of `<templates>/content-blocks/` (read-only through the API) and blocks stored through
// `/content-blocks` (store definitions of kind `content_block`). Every block parses and none
// includes itself: checked when it is saved, and for files when they are loaded.
import type { Attributes, StoredDefinition } from '../domain/index.js';
import { formatZodIssues } from '../domain/index.js';
import type { ContentBlockProvider } from '../liquid/index.js';
import { contentBlockReferences } from '../liquid/index.js';
import type { DefinitionStore } from '../store/index.js';
import { ContentBlockFilesError, contentBlocksDir, readBlockFiles } from './files.js';
import { ContentBlockInputSchema, ContentBlockNameSchema, type ContentBlock } from './schema.js';
import { ContentBlockError, contentIssues } from './validate.js';

export interface RegistryLogger {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export class ContentBlockRegistry {
  private files = new Map<string, ContentBlock>();
  private stored = new Map<string, ContentBlock>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: DefinitionStore,
    private readonly logger?: RegistryLogger,
  ) {}

  /** What `{{content_blocks.${name}}}` includes (the engines' contentBlocks option). */
  readonly provider: ContentBlockProvider = (name) => this.get(name)?.content;

  /**
   * The stored blocks, then the files of `<templatesDir>/content-blocks` (when given). A file block
   * that does not parse, or includes itself, stops the load: ContentBlockFilesError names it.
   */
  async load(templatesDir?: string): Promise<void> {
    await this.refresh();
    if (templatesDir === undefined) return;
    const dir = contentBlocksDir(templatesDir);
    const files = await readBlockFiles(dir);
    this.files = new Map(files.map((f) => [f.name, { name: f.name, content: f.content, source: 'file' as const, file: f.path }]));
    const issues = files.flatMap((f) =>
      contentIssues(f.name, f.content, (name) => (name === f.name ? undefined : this.get(name)?.content)).map((issue) => ({
        file: f.path,
        line: issue.line ?? 1,
        column: issue.column ?? 1,
        message: issue.message.replace(/ \(line \d+, column \d+\)$/, ''),
      })),
    );
    if (issues.length > 0) {
      this.files = new Map();
      throw new ContentBlockFilesError(issues);
    }
    if (files.length > 0) this.logger?.info({ dir, blocks: files.map((f) => f.name) }, `loaded ${files.length} content block(s) from files`);
    this.changed();
  }

  /** Re-reads the stored blocks (another instance may have changed them); true when any changed. */
  async refresh(): Promise<boolean> {
    const next = new Map<string, ContentBlock>();
    for (const row of await this.store.listDefinitions('content_block')) {
      const block = fromStored(row);
      if (block) next.set(block.name, block);
      else this.logger?.error({ contentBlock: row.id }, 'stored content block is invalid and is ignored');
    }
    const before = JSON.stringify([...this.stored.values()]);
    this.stored = next;
    const changed = JSON.stringify([...next.values()]) !== before;
    if (changed) this.changed();
    return changed;
  }

  get(name: string): ContentBlock | undefined {
    return this.files.get(name) ?? this.stored.get(name);
  }

  list(): ContentBlock[] {
    const names = new Set([...this.files.keys(), ...this.stored.keys()]);
    return [...names].sort().map((name) => this.get(name)!);
  }

  /** name → content of every block, for renders on other threads. */
  snapshot(): Record<string, string> {
    return Object.fromEntries(this.list().map((b) => [b.name, b.content]));
  }

  /** Called after every change of the blocks; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and stores a block (ContentBlockError with field paths); `created` when it is new. */
  async put(name: string, input: unknown): Promise<{ block: ContentBlock; created: boolean }> {
    const named = ContentBlockNameSchema.safeParse(name);
    if (!named.success) throw new ContentBlockError('LH_CONTENT_BLOCK_INVALID', 'invalid content block', formatZodIssues(named.error).map((i) => ({ ...i, path: 'name' })));
    this.refuseFileBlock(name);
    const parsed = ContentBlockInputSchema.safeParse(input);
    if (!parsed.success) throw new ContentBlockError('LH_CONTENT_BLOCK_INVALID', 'invalid content block', formatZodIssues(parsed.error));
    const { description, content } = parsed.data;
    const issues = contentIssues(name, content, (other) => (other === name ? undefined : this.get(other)?.content));
    if (issues.length > 0) throw new ContentBlockError('LH_CONTENT_BLOCK_INVALID', 'invalid content block', issues);
    const created = !this.stored.has(name);
    const definition: Attributes = description === undefined ? { content } : { description, content };
    const block = fromStored(await this.store.putDefinition('content_block', name, definition))!;
    this.stored.set(name, block);
    this.changed();
    return { block, created };
  }

  /** Deletes a stored block; a file block, or one other blocks include, is refused (409). */
  async delete(name: string): Promise<boolean> {
    this.refuseFileBlock(name);
    const users = this.includersOf(name);
    if (users.length > 0) throw new ContentBlockError('LH_CONTENT_BLOCK_IN_USE', `content block "${name}" is included by ${users.map((u) => `content block "${u}"`).join(', ')}`);
    const removed = await this.store.deleteDefinition('content_block', name);
    if (this.stored.delete(name)) this.changed();
    return removed;
  }

  /** The other blocks whose content includes `name`. */
  includersOf(name: string): string[] {
    return this.list()
      .filter((b) => b.name !== name && contentBlockReferences(b.content).some((ref) => ref.name === name))
      .map((b) => b.name);
  }

  private refuseFileBlock(name: string): void {
    const file = this.files.get(name)?.file;
    if (file) throw new ContentBlockError('LH_CONTENT_BLOCK_FROM_FILE', `content block "${name}" is defined by ${file}; edit that file`);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

function fromStored(row: StoredDefinition): ContentBlock | undefined {
  const parsed = ContentBlockInputSchema.safeParse(row.definition);
  if (!parsed.success) return undefined;
  return {
    name: row.id,
    ...(parsed.data.description === undefined ? {} : { description: parsed.data.description }),
    content: parsed.data.content,
    source: 'api',
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

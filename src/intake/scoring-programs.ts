// The scoring programs in force: validated, stored, and kept in memory because every profile change
// is scored by them (the intake passes them to the store with the campaigns). API programs get
// `sp_<hex>` ids, file programs `file:<stem>`.
import { randomBytes } from 'node:crypto';
import type { Attributes, StoredDefinition } from '../domain/index.js';
import {
  DefinitionFileError,
  parseScoringProgram,
  readDefinitionFiles,
  ScoringProgramError,
  type ProgramEntry,
  type ScoringProgram,
} from '../scoring/index.js';
import type { DefinitionStore } from '../store/index.js';

export interface StoredProgram extends ProgramEntry {
  createdAt: string;
  updatedAt: string;
}

export interface RegistryLogger {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export const newProgramId = (): string => `sp_${randomBytes(8).toString('hex')}`;

export class ScoringProgramRegistry {
  private programs = new Map<string, StoredProgram>();
  private entries: ProgramEntry[] = [];

  constructor(
    private readonly store: DefinitionStore,
    private readonly logger?: RegistryLogger,
  ) {}

  /** Reads the stored programs; one that no longer validates is skipped with an error log. */
  async load(): Promise<void> {
    const next = new Map<string, StoredProgram>();
    for (const stored of await this.store.listDefinitions('scoring_program')) {
      try {
        next.set(stored.id, toStored(stored, parseScoringProgram(stored.definition)));
      } catch (error) {
        if (!(error instanceof ScoringProgramError)) throw error;
        this.logger?.error({ program: stored.id, issues: error.issues }, 'stored scoring program is invalid and is ignored');
      }
    }
    this.programs = next;
    this.refresh();
  }

  list(): StoredProgram[] {
    return [...this.programs.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): StoredProgram | undefined {
    return this.programs.get(id);
  }

  /** Validates (throws ScoringProgramError with paths), stores and activates. */
  async put(id: string, input: unknown): Promise<StoredProgram> {
    const program = parseScoringProgram(input);
    const stored = await this.store.putDefinition('scoring_program', id, program as unknown as Attributes);
    const entry = toStored(stored, program);
    this.programs.set(id, entry);
    this.refresh();
    return entry;
  }

  /** Deletes the program and its memberships (so its decay schedule too). */
  async delete(id: string): Promise<boolean> {
    const removed = await this.store.deleteDefinition('scoring_program', id);
    this.programs.delete(id);
    this.refresh();
    return removed;
  }

  /** Upserts every `*.scoring.json|yaml|yml` of `dir`; returns their ids. Errors name the file and path. */
  async loadFiles(dir: string): Promise<string[]> {
    const ids: string[] = [];
    for (const file of await readDefinitionFiles(dir, 'scoring')) {
      try {
        await this.put(file.id, file.content);
      } catch (error) {
        if (error instanceof ScoringProgramError) throw new DefinitionFileError(file.path, error.issues);
        throw error;
      }
      ids.push(file.id);
    }
    if (ids.length > 0) this.logger?.info({ dir, programs: ids }, `loaded ${ids.length} scoring program(s) from files`);
    return ids;
  }

  /** Every program (disabled ones too: their memberships stop decaying rather than end), by id. */
  programEntries(): readonly ProgramEntry[] {
    return this.entries;
  }

  private refresh(): void {
    this.entries = this.list().map(({ id, program }) => ({ id, program }));
  }
}

function toStored(stored: StoredDefinition, program: ScoringProgram): StoredProgram {
  return { id: stored.id, program, createdAt: stored.createdAt, updatedAt: stored.updatedAt };
}

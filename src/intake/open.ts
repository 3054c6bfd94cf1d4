// The intake as the service and the CLI run it: the stored and file campaigns, the stored and file
// scoring programs, and the intake that plans every change by them.
import type { Logger } from 'pino';
import { CampaignCatalog } from '../deliveries/catalog.js';
import { loadTemplateCampaigns } from '../deliveries/template-campaigns.js';
import type { Store } from '../store/index.js';
import { createIntake, type Intake } from './intake.js';
import { ScoringProgramRegistry } from './scoring-programs.js';

export interface OpenIntakeOptions {
  /** Folder of template campaigns and `*.scoring.json|yaml` programs loaded at start. */
  templatesDir: string;
  logger: Logger;
  /** Values for template placeholders. */
  placeholderValues: Record<string, string | undefined>;
  /** Told how many score changes each committed change made (metrics). */
  onScored?(scoreChanges: number): void;
}

export interface OpenedIntake {
  intake: Intake;
  catalog: CampaignCatalog;
  programs: ScoringProgramRegistry;
}

export async function openIntake(store: Store, options: OpenIntakeOptions): Promise<OpenedIntake> {
  const programs = new ScoringProgramRegistry(store, options.logger);
  await programs.load();
  await programs.loadFiles(options.templatesDir);
  const catalog = new CampaignCatalog(store, options.logger, options.placeholderValues);
  await catalog.load();
  await loadTemplateCampaigns(options.templatesDir, catalog, options.logger);
  const intake = createIntake({
    store,
    campaigns: catalog,
    scoring: programs,
    ...(options.onScored ? { onScored: options.onScored } : {}),
  });
  return { intake, catalog, programs };
}

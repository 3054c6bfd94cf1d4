// Campaigns shipped as template files: every `*.webhook.liquid` file that carries a trigger is
// upserted at start under an id derived from its file name, so edits to the file win on restart.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { CodedError } from '../errors/index.js';
import { WEBHOOK_FILE_SUFFIX, loadTemplatesDir, type WebhookFile } from '../render/index.js';
import { CampaignValidationError } from '../triggers/index.js';
import type { CampaignCatalog } from './catalog.js';

export class TemplateCampaignError extends CodedError {
  constructor(
    readonly file: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super('LH_FILE_INVALID', `${file}: not a valid campaign:\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
    this.name = 'TemplateCampaignError';
  }
}

const FILE_ID_PREFIX = 'file:';

/** `templates/salesforce-mql-handoff.webhook.liquid` -> `file:salesforce-mql-handoff`. */
export function campaignIdForFile(path: string): string {
  const stem = basename(path).slice(0, -WEBHOOK_FILE_SUFFIX.length) || basename(path);
  return `${FILE_ID_PREFIX}${stem.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 90)}`;
}

export function campaignInputOf(file: WebhookFile): Record<string, unknown> {
  return { name: file.name, webhook: file.webhook, ...file.campaign };
}

export const DEFAULT_TEMPLATES_DIR = './templates';

/**
 * Loads and upserts the directory's campaigns; returns their ids. A stored file campaign whose
 * file is gone stays in the store (its delivery log too) but plans and sends nothing.
 */
export async function loadTemplateCampaigns(dir: string, catalog: CampaignCatalog, logger: Logger): Promise<string[]> {
  if (!existsSync(dir)) {
    // Only a directory someone configured on purpose is worth a warning.
    if (dir === DEFAULT_TEMPLATES_DIR) logger.debug({ dir }, 'no templates directory');
    else logger.warn({ dir }, 'templates directory does not exist; no file campaigns loaded');
    return [];
  }
  const files = await loadTemplatesDir(dir);
  const ids: string[] = [];
  for (const file of files) {
    if (!file.campaign?.trigger) continue;
    const id = campaignIdForFile(file.source);
    try {
      await catalog.put(id, campaignInputOf(file), file.placeholders);
    } catch (error) {
      if (error instanceof CampaignValidationError) throw new TemplateCampaignError(file.source, error.issues);
      throw error;
    }
    ids.push(id);
  }
  for (const active of catalog.list()) {
    if (active.id.startsWith(FILE_ID_PREFIX) && !ids.includes(active.id)) {
      catalog.deactivate(active.id, `its template file is no longer in ${dir}`);
    }
  }
  logger.info({ dir, campaigns: ids }, `loaded ${ids.length} campaign(s) from template files`);
  return ids;
}

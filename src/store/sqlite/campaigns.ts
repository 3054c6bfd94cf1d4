// Stored campaigns for SQLite (definitions validated by the campaign zod schema before they come here).
import type { Attributes, StoredCampaign } from '../../domain/index.js';
import { type CampaignRow, type StatementCache, toCampaign } from './rows.js';

export function listCampaignRows(stmts: StatementCache): StoredCampaign[] {
  return (stmts.get('SELECT * FROM campaigns ORDER BY id').all() as CampaignRow[]).map(toCampaign);
}

export function getCampaignRow(stmts: StatementCache, id: string): StoredCampaign | undefined {
  const row = stmts.get('SELECT * FROM campaigns WHERE id = ?').get(id) as CampaignRow | undefined;
  return row ? toCampaign(row) : undefined;
}

export function putCampaignInTransaction(stmts: StatementCache, id: string, definition: Attributes, at: string): StoredCampaign {
  const row = stmts
    .get(
      `INSERT INTO campaigns (id, definition, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
       RETURNING *`,
    )
    .get(id, JSON.stringify(definition), at, at) as CampaignRow;
  return toCampaign(row);
}

/** Also forgets who received the campaign, so a campaign made again under the same id starts afresh. */
export function deleteCampaignInTransaction(stmts: StatementCache, id: string): boolean {
  const removed = stmts.get('DELETE FROM campaigns WHERE id = ?').run(id).changes > 0;
  if (removed) stmts.get('DELETE FROM campaign_eligibility WHERE campaign_id = ?').run(id);
  return removed;
}

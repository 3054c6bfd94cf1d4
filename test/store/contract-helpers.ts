// Builders shared by the store contract suites: batches, and the rules (campaigns and scoring
// programs, as data) changes are planned by.
import type { TrackBatch } from '../../src/domain/index.js';
import type { ProgramEntry } from '../../src/scoring/index.js';
import { parseScoringProgram } from '../../src/scoring/index.js';
import { type ChangeRules, NO_RULES } from '../../src/store/index.js';
import { type CampaignEntry, type CampaignInput, parseCampaign } from '../../src/triggers/index.js';

export const T0 = new Date('2030-01-01T00:00:00.000Z');

/** A campaign (re-eligible at once unless `extra` says otherwise) posting to an unused address. */
export const campaign = (id: string, trigger: CampaignInput['trigger'], extra: Partial<CampaignInput> = {}): CampaignEntry => ({
  id,
  campaign: parseCampaign({ name: id, trigger, reeligible_after_seconds: 0, webhook: { url: 'http://127.0.0.1:9/hook', method: 'POST' }, ...extra }),
});

/** A scoring program: `points` per `event` on `attribute`, entered by any event, decaying by one per `windowMs`. */
export const program = (id: string, options: { event?: string; points?: number; windowMs?: number; attribute?: string } = {}): ProgramEntry => ({
  id,
  program: parseScoringProgram({
    name: id,
    attribute: options.attribute ?? 'lead score',
    action_groups: [{ name: 'engaged', points: options.points ?? 10, events: [{ name: options.event ?? 'opened' }] }],
    ...(options.windowMs !== undefined ? { inactivity: { window_seconds: options.windowMs / 1000, points: -1 } } : {}),
  }),
});

export const rules = (campaigns: CampaignEntry[], programs: ProgramEntry[] = [], at?: Date): ChangeRules => ({ campaigns, programs, ...(at ? { at } : {}) });

export const noSends: ChangeRules = NO_RULES;

/** Sends for `campaignId` on every change of `attribute` (the lead score: see `score`). */
export const sendOnce = (campaignId: string, attribute = 'lead score'): ChangeRules =>
  rules([campaign(campaignId, { type: 'custom_attribute_changed', attribute, change: 'any' })]);

export const batch = (partial: Partial<TrackBatch>): TrackBatch => ({ attributes: [], events: [], purchases: [], ...partial });
export const score = (externalId: string, by: number): TrackBatch =>
  batch({ attributes: [{ externalId, ops: { 'lead score': { op: 'inc', by } } }] });

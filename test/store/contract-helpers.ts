// Builders shared by the store contract suites.
import type { SendPlanner, TrackBatch } from '../../src/domain/index.js';

export const noSends: SendPlanner = () => [];
export const sendOnce =
  (campaignId: string): SendPlanner =>
  (activity) => [{ campaignId, externalId: activity.externalId, trigger: { type: 'test', changes: activity.changes.length } }];

export const batch = (partial: Partial<TrackBatch>): TrackBatch => ({ attributes: [], events: [], purchases: [], ...partial });
export const score = (externalId: string, by: number): TrackBatch =>
  batch({ attributes: [{ externalId, ops: { 'lead score': { op: 'inc', by } } }] });

export const T0 = new Date('2030-01-01T00:00:00.000Z');

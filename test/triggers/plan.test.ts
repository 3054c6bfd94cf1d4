import { describe, expect, it } from 'vitest';
import type { UserActivity, UserEvent } from '../../src/domain/index.js';
import {
  CampaignSchema,
  deliveredUpdateBatch,
  isEligible,
  makePlanner,
  parseCampaign,
  planSends,
  triggerMatches,
  TriggerSchema,
  type CampaignEntry,
  type CampaignInput,
} from '../../src/triggers/index.js';

const NOW = new Date('2030-06-15T12:00:00.000Z');
const webhook = { url: 'https://example.com/hook', method: 'POST' as const, body: { type: 'raw' as const, text: '{}' } };

const mqlCampaign: CampaignInput = {
  name: 'Salesforce MQL hand-off',
  trigger: { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' },
  audience: [{ attribute: 'lead_status', operator: 'is_none_of', values: ['MQL'] }],
  reeligible_after_seconds: 0,
  webhook: {
    url: 'https://YOUR_SALESFORCE_INSTANCE.my.salesforce.com/services/data/v60.0/sobjects/Lead/{{${user_id}}}',
    method: 'PATCH',
    headers: { Authorization: 'Bearer {{result.access_token}}', 'Content-Type': 'application/json' },
    body: { type: 'raw', text: '{% if custom_attribute.${lead score} > 100 %}{"lead_status": "MQL"}{% endif %}' },
  },
  on_delivered_update: { attributes: { lead_status: 'MQL' } },
};

const entry = (id: string, input: Partial<CampaignInput> & Pick<CampaignInput, 'trigger'>): CampaignEntry => ({
  id,
  campaign: CampaignSchema.parse({ name: id, webhook, ...input }),
});

const activity = (partial: Partial<UserActivity>): UserActivity => ({
  externalId: 'u1',
  before: {},
  after: {},
  changes: [],
  events: [],
  purchases: [],
  lastEnqueuedAt: {},
  ...partial,
});

const scoreChange = (before: number | undefined, after: number | undefined, rest: Partial<UserActivity> = {}) =>
  activity({
    changes: [{ attribute: 'lead score', before, after }],
    after: after === undefined ? {} : { 'lead score': after },
    ...rest,
  });

describe('CampaignSchema', () => {
  it('accepts the canonical MQL campaign and fills defaults', () => {
    const campaign = parseCampaign(mqlCampaign);
    expect(campaign.enabled).toBe(true);
    expect(campaign.webhook.method).toBe('PATCH');
    const minimal = parseCampaign({ name: 'x', trigger: { type: 'email_address_added' }, webhook });
    expect(minimal).toMatchObject({ audience: [], reeligible_after_seconds: null, enabled: true });
  });

  it('reports bad definitions with field paths', () => {
    expect(() => parseCampaign({ ...mqlCampaign, trigger: { type: 'custom_attribute_changed', attribute: 'x', change: 'to' } })).toThrow(
      /trigger\.value: change "to" needs a value/,
    );
    expect(() => parseCampaign({ ...mqlCampaign, audience: [{ attribute: 'a', operator: 'nope' }] })).toThrow(/audience\[0\]\.operator/);
    expect(() => parseCampaign({ ...mqlCampaign, reeligible_after_seconds: -1 })).toThrow(/reeligible_after_seconds/);
    expect(() => parseCampaign({ ...mqlCampaign, extra: 1 })).toThrow();
    expect(() => parseCampaign({ ...mqlCampaign, webhook: { ...webhook, method: 'TRACE' } })).toThrow(/webhook\.method/);
    expect(TriggerSchema.safeParse({ type: 'custom_event' }).success).toBe(false);
  });
});

describe('triggerMatches: custom_attribute_changed', () => {
  const trigger = (change: unknown, value?: unknown) =>
    TriggerSchema.parse({ type: 'custom_attribute_changed', attribute: 'lead score', change, ...(value === undefined ? {} : { value }) });

  it('any: fires on every new value, carrying before and after; not on removal or other attributes', () => {
    expect(triggerMatches(trigger('any'), scoreChange(10, 20), NOW)).toEqual([
      { type: 'custom_attribute_changed', attribute: 'lead score', before: 10, after: 20 },
    ]);
    expect(triggerMatches(trigger('any'), scoreChange(undefined, 5), NOW)[0]).toMatchObject({ before: null, after: 5 });
    expect(triggerMatches(trigger('any'), scoreChange(5, undefined), NOW)).toEqual([]);
    expect(triggerMatches(trigger('any'), activity({ changes: [{ attribute: 'other', before: 1, after: 2 }] }), NOW)).toEqual([]);
  });

  it('to: fires only when the new value equals the target', () => {
    expect(triggerMatches(trigger('to', 100), scoreChange(90, 100), NOW)).toHaveLength(1);
    expect(triggerMatches(trigger('to', 100), scoreChange(90, 101), NOW)).toEqual([]);
  });

  it('increased / decreased compare numbers, a missing value counting as 0', () => {
    expect(triggerMatches(trigger('increased'), scoreChange(10, 11), NOW)).toHaveLength(1);
    expect(triggerMatches(trigger('increased'), scoreChange(10, 9), NOW)).toEqual([]);
    expect(triggerMatches(trigger('increased'), scoreChange(undefined, 3), NOW)).toHaveLength(1);
    expect(triggerMatches(trigger('decreased'), scoreChange(10, 9), NOW)).toHaveLength(1);
    expect(triggerMatches(trigger('decreased'), scoreChange(10, 11), NOW)).toEqual([]);
    const text = activity({ changes: [{ attribute: 'lead score', before: 'a', after: 5 }] });
    expect(triggerMatches(trigger('increased'), text, NOW)).toEqual([]);
  });
});

describe('triggerMatches: email_address_added and custom_event', () => {
  const emailAdded = TriggerSchema.parse({ type: 'email_address_added' });
  const emailChange = (before: string | null | undefined, after: string | undefined) =>
    activity({ changes: [{ attribute: 'email', before, after }] });

  it('email_address_added fires when email goes from absent or empty to a value', () => {
    expect(triggerMatches(emailAdded, emailChange(undefined, 'a@b.c'), NOW)).toEqual([
      { type: 'email_address_added', attribute: 'email', before: null, after: 'a@b.c' },
    ]);
    expect(triggerMatches(emailAdded, emailChange('', 'a@b.c'), NOW)).toHaveLength(1);
    expect(triggerMatches(emailAdded, emailChange(null, 'a@b.c'), NOW)).toHaveLength(1);
    expect(triggerMatches(emailAdded, emailChange('old@b.c', 'a@b.c'), NOW)).toEqual([]);
    expect(triggerMatches(emailAdded, emailChange('old@b.c', undefined), NOW)).toEqual([]);
  });

  it('custom_event fires per matching event with its properties, honouring property filters', () => {
    const trigger = TriggerSchema.parse({
      type: 'custom_event',
      event: 'demo_requested',
      property_filters: [{ attribute: 'plan', operator: 'equals', value: 'pro' }],
    });
    const events: UserEvent[] = [
      { externalId: 'u1', name: 'demo_requested', time: '2030-01-01T00:00:00.000Z', properties: { plan: 'pro', seats: 5 } },
      { externalId: 'u1', name: 'demo_requested', time: '2030-01-01T00:00:01.000Z', properties: { plan: 'free' } },
      { externalId: 'u1', name: 'other', time: '2030-01-01T00:00:02.000Z', properties: { plan: 'pro' } },
    ];
    expect(triggerMatches(trigger, activity({ events }), NOW)).toEqual([
      { type: 'custom_event', event: 'demo_requested', time: '2030-01-01T00:00:00.000Z', properties: { plan: 'pro', seats: 5 } },
    ]);
  });
});

describe('isEligible', () => {
  const campaign = (reeligible: number | null) =>
    CampaignSchema.parse({ name: 'x', trigger: { type: 'email_address_added' }, webhook, reeligible_after_seconds: reeligible });
  it('first send always; null never again; 0 always; N after N seconds', () => {
    const last = new Date(NOW.getTime() - 60_000).toISOString();
    expect(isEligible(campaign(null), undefined, NOW)).toBe(true);
    expect(isEligible(campaign(null), last, NOW)).toBe(false);
    expect(isEligible(campaign(0), NOW.toISOString(), NOW)).toBe(true);
    expect(isEligible(campaign(60), last, NOW)).toBe(true);
    expect(isEligible(campaign(61), last, NOW)).toBe(false);
  });
});

describe('planSends', () => {
  const mql: CampaignEntry = { id: 'mql', campaign: parseCampaign(mqlCampaign) };

  it('sends when trigger and audience (after the change) match', () => {
    expect(planSends([mql], scoreChange(90, 120), NOW)).toEqual([
      { campaignId: 'mql', externalId: 'u1', trigger: { type: 'custom_attribute_changed', attribute: 'lead score', before: 90, after: 120 } },
    ]);
  });

  it('skips users outside the audience, disabled campaigns and ineligible users', () => {
    expect(planSends([mql], scoreChange(90, 120, { after: { 'lead score': 120, lead_status: 'MQL' } }), NOW)).toEqual([]);
    const disabled = entry('off', { trigger: mqlCampaign.trigger, enabled: false });
    expect(planSends([disabled], scoreChange(1, 2), NOW)).toEqual([]);
    const once = entry('once', { trigger: mqlCampaign.trigger });
    expect(planSends([once], scoreChange(1, 2), NOW)).toHaveLength(1);
    expect(planSends([once], scoreChange(1, 2, { lastEnqueuedAt: { once: NOW.toISOString() } }), NOW)).toEqual([]);
  });

  it('evaluates each campaign independently', () => {
    const byEvent = entry('event', { trigger: { type: 'custom_event', event: 'signup' } });
    const act = scoreChange(1, 2, { events: [{ externalId: 'u1', name: 'signup', time: NOW.toISOString(), properties: {} }] });
    expect(planSends([mql, byEvent], act, NOW).map((d) => d.campaignId)).toEqual(['mql', 'event']);
  });

  it('several matching events send once unless re-eligible at once', () => {
    const events = [1, 2, 3].map((i) => ({ externalId: 'u1', name: 'signup', time: NOW.toISOString(), properties: { i } }));
    const once = entry('once', { trigger: { type: 'custom_event', event: 'signup' } });
    const every = entry('every', { trigger: { type: 'custom_event', event: 'signup' }, reeligible_after_seconds: 0 });
    expect(planSends([once], activity({ events }), NOW)).toHaveLength(1);
    expect(planSends([every], activity({ events }), NOW)).toHaveLength(3);
  });

  it('makePlanner reads the clock per call', () => {
    let now = new Date(NOW);
    const campaign = entry('hourly', { trigger: mqlCampaign.trigger, reeligible_after_seconds: 3600 });
    const planner = makePlanner([campaign], () => now);
    const act = scoreChange(1, 2, { lastEnqueuedAt: { hourly: NOW.toISOString() } });
    expect(planner(act)).toEqual([]);
    now = new Date(NOW.getTime() + 3600_000);
    expect(planner(act)).toHaveLength(1);
  });
});

describe('deliveredUpdateBatch', () => {
  it('turns on_delivered_update into a track batch for the recipient', () => {
    expect(deliveredUpdateBatch(parseCampaign(mqlCampaign), 'lead-7')).toEqual({
      attributes: [{ externalId: 'lead-7', ops: { lead_status: { op: 'set', value: 'MQL' } } }],
      events: [],
      purchases: [],
    });
    expect(deliveredUpdateBatch(parseCampaign({ ...mqlCampaign, on_delivered_update: undefined }), 'x')).toBeUndefined();
  });
});

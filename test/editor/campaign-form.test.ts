// The editor's form state converts to campaign JSON the API accepts, and back without loss.
import { describe, expect, it } from 'vitest';
import { CampaignSchema } from '../../src/triggers/schema.js';
import {
  campaignFromState,
  emptyFormState,
  parseListText,
  parseValueText,
  stateFromCampaign,
  webhookFromState,
  formatValueText,
  // @ts-expect-error plain browser module without type declarations
} from '../../src/editor/public/js/campaign-form.js';
import { mqlWebhook } from './service.js';

const guideCampaign = {
  name: 'Salesforce > Update lead to MQL',
  enabled: true,
  trigger: { type: 'custom_attribute_changed', attribute: 'lead score', change: 'any' },
  audience: [{ attribute: 'lead_status', operator: 'is_none_of', values: ['MQL'] }],
  reeligible_after_seconds: 0,
  webhook: mqlWebhook(),
};

describe('campaign form state', () => {
  it('round-trips the guide campaign unchanged', () => {
    const { campaign, errors } = campaignFromState(stateFromCampaign(guideCampaign));
    expect(errors).toEqual([]);
    expect(campaign).toEqual(guideCampaign);
  });

  it('round-trips every filter value kind, pairs bodies, re-eligibility units and delivered updates', () => {
    const input = {
      name: 'x',
      enabled: false,
      trigger: { type: 'custom_event', event: 'form_submitted', property_filters: [{ attribute: 'form', operator: 'equals', value: 'demo' }] },
      audience: [
        { attribute: 'score', operator: 'greater_than', value: 10 },
        { attribute: 'code', operator: 'equals', value: '100' },
        { attribute: 'tags', operator: 'includes_any_of', values: ['a,b', 'c'] },
        { attribute: 'vip', operator: 'is_true' },
        { attribute: 'name', operator: 'equals', value: ' padded ' },
      ],
      reeligible_after_seconds: 7200,
      webhook: { url: 'https://h/x', method: 'POST', headers: {}, body: { type: 'json_pairs', pairs: [{ key: 'id', value: '{{${user_id}}}' }] }, signing_secret_ref: 'SIGNING' },
      on_delivered_update: { attributes: { lead_status: 'MQL' } },
    };
    const state = stateFromCampaign(input);
    expect(state.reeligibleUnit).toBe('hours');
    expect(state.reeligibleAmount).toBe(2);
    const { campaign, errors } = campaignFromState(state);
    expect(errors).toEqual([]);
    expect(campaign).toEqual(input);
    expect(CampaignSchema.safeParse(campaign).success).toBe(true);
  });

  it('builds a campaign the API schema accepts from a filled new form', () => {
    const state = emptyFormState();
    state.name = 'New';
    state.url = 'https://example.com/{{${user_id}}}';
    state.bodyText = '{"a": 1}';
    state.trigger.attribute = 'lead score';
    state.audience.push({ attribute: 'lead_status', operator: 'is_none_of', valueText: 'MQL, SQL' });
    const { campaign } = campaignFromState(state);
    expect(campaign.audience[0]).toEqual({ attribute: 'lead_status', operator: 'is_none_of', values: ['MQL', 'SQL'] });
    expect(campaign.reeligible_after_seconds).toBeNull();
    expect(CampaignSchema.safeParse(campaign).success).toBe(true);
  });

  it('reports delivered-update JSON it cannot parse and a negative re-eligibility', () => {
    const state = { ...emptyFormState(), onDeliveredText: '{ nope', reeligible: 'after', reeligibleAmount: -1 };
    const { errors } = campaignFromState(state);
    expect(errors.map((e: { path: string }) => e.path)).toEqual(['reeligible_after_seconds', 'on_delivered_update']);
  });

  it('drops blank header rows from the webhook', () => {
    const state = { ...emptyFormState(), headers: [{ name: '', value: '' }, { name: ' X-A ', value: 'v' }] };
    expect(webhookFromState(state).headers).toEqual({ 'X-A': 'v' });
  });
});

describe('value text', () => {
  it('reads JSON where it parses and text otherwise', () => {
    expect(parseValueText('100')).toBe(100);
    expect(parseValueText('true')).toBe(true);
    expect(parseValueText('"100"')).toBe('100');
    expect(parseValueText('MQL')).toBe('MQL');
    expect(parseListText('[1, "a,b"]')).toEqual([1, 'a,b']);
    expect(parseListText('a, 2')).toEqual(['a', 2]);
  });

  it('quotes strings that would read as another type', () => {
    expect(formatValueText('100')).toBe('"100"');
    expect(formatValueText('MQL')).toBe('MQL');
    expect(formatValueText(undefined)).toBe('');
  });
});

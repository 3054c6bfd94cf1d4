import { describe, it, expect } from 'vitest';
import { buildLiquidContext } from '../../src/render/context.js';

describe('buildLiquidContext', () => {
  it('maps stored attribute names to Braze Liquid names', () => {
    const context = buildLiquidContext(
      {
        first_name: 'Ada',
        email: 'ada@example.com',
        phone: '+15550100',
        home_city: 'London',
        dob: '1815-12-10',
        email_subscribe: 'opted_in',
        'lead score': 150,
        lead_status: 'SQL',
        external_id: 'ignored-here',
        image_url: 'https://example.com/a.png',
      },
      { externalId: '00Q5e000001', trigger: { properties: { form: 'demo' } } },
    );
    expect(context).toEqual({
      user_id: '00Q5e000001',
      first_name: 'Ada',
      email_address: 'ada@example.com',
      phone_number: '+15550100',
      city: 'London',
      date_of_birth: '1815-12-10',
      subscribed_state: { email_global: 'opted_in' },
      custom_attribute: { 'lead score': 150, lead_status: 'SQL' },
      event_properties: { form: 'demo' },
    });
  });

  it('gives empty namespaces when there is no trigger or attribute', () => {
    expect(buildLiquidContext({}, { externalId: 'u1' })).toEqual({
      user_id: 'u1',
      custom_attribute: {},
      event_properties: {},
      subscribed_state: {},
    });
  });
});

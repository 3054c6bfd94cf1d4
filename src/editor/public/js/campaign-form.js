// The campaign editor's form state and its conversion to and from the API's campaign JSON. Pure.

export const FILTER_OPERATORS = [
  'equals', 'not_equals', 'is_any_of', 'is_none_of', 'greater_than', 'greater_than_or_equal', 'less_than',
  'less_than_or_equal', 'exists', 'does_not_exist', 'contains', 'does_not_contain', 'includes_any_of',
  'includes_none_of', 'matches_regex', 'does_not_match_regex', 'is_true', 'is_false', 'before', 'after',
  'more_than_days_ago', 'less_than_days_ago',
];
export const LIST_OPERATORS = new Set(['is_any_of', 'is_none_of', 'includes_any_of', 'includes_none_of']);
export const NO_VALUE_OPERATORS = new Set(['exists', 'does_not_exist', 'is_true', 'is_false']);
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const TRIGGER_TYPES = ['custom_attribute_changed', 'custom_event', 'email_address_added'];
export const CHANGES = ['any', 'to', 'increased', 'decreased'];
export const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export function emptyFormState() {
  return {
    name: '',
    enabled: true,
    method: 'POST',
    url: '',
    headers: [{ name: 'Content-Type', value: 'application/json' }],
    bodyType: 'raw',
    bodyText: '',
    pairs: [],
    signingSecretRef: '',
    trigger: { type: 'custom_attribute_changed', attribute: '', change: 'any', valueText: '', event: '', propertyFilters: [] },
    audience: [],
    reeligible: 'once',
    reeligibleAmount: 1,
    reeligibleUnit: 'days',
    onDeliveredText: '',
  };
}

export const emptyFilterRow = () => ({ attribute: '', operator: 'equals', valueText: '' });

/** A typed value from a text box: JSON when it parses (100, true, "x", [..]), else the text itself. */
export function parseValueText(text) {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

/** The text box form of a value: plain strings stay plain unless they would read as something else. */
export function formatValueText(value) {
  if (typeof value === 'string') return typeof parseValueText(value) === 'string' && value.trim() === value ? value : JSON.stringify(value);
  return value === undefined ? '' : JSON.stringify(value);
}

/** `a, b` or a JSON array -> list of values. */
export function parseListText(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed = parseValueText(trimmed);
    if (Array.isArray(parsed)) return parsed;
  }
  return trimmed === '' ? [] : trimmed.split(',').map((part) => parseValueText(part.trim()));
}

export function formatListText(values) {
  const texts = (values ?? []).map(formatValueText);
  return texts.some((t) => t.includes(',')) ? JSON.stringify(values) : texts.join(', ');
}

export function filterFromRow(row) {
  const filter = { attribute: row.attribute.trim(), operator: row.operator };
  if (LIST_OPERATORS.has(row.operator)) filter.values = parseListText(row.valueText);
  else if (!NO_VALUE_OPERATORS.has(row.operator)) filter.value = parseValueText(row.valueText);
  return filter;
}

export function rowFromFilter(filter) {
  const valueText = LIST_OPERATORS.has(filter.operator) ? formatListText(filter.values) : formatValueText(filter.value);
  return { attribute: filter.attribute ?? '', operator: filter.operator ?? 'equals', valueText };
}

export function webhookFromState(state) {
  const headers = {};
  for (const h of state.headers) if (h.name.trim() !== '' || h.value !== '') headers[h.name.trim()] = h.value;
  const body =
    state.bodyType === 'json_pairs'
      ? { type: 'json_pairs', pairs: state.pairs.map((p) => ({ key: p.key, value: p.value })) }
      : { type: 'raw', text: state.bodyText };
  const webhook = { url: state.url, method: state.method, headers, body };
  if (state.signingSecretRef.trim() !== '') webhook.signing_secret_ref = state.signingSecretRef.trim();
  return webhook;
}

function triggerFromState(t) {
  if (t.type === 'custom_event') return { type: 'custom_event', event: t.event.trim(), property_filters: t.propertyFilters.map(filterFromRow) };
  if (t.type === 'email_address_added') return { type: 'email_address_added' };
  const trigger = { type: 'custom_attribute_changed', attribute: t.attribute.trim(), change: t.change };
  if (t.change === 'to') trigger.value = parseValueText(t.valueText);
  return trigger;
}

/** The campaign JSON to save, or `errors` (path + message) for what the form cannot express. */
export function campaignFromState(state) {
  const errors = [];
  const campaign = {
    name: state.name,
    enabled: state.enabled,
    trigger: triggerFromState(state.trigger),
    audience: state.audience.map(filterFromRow),
    reeligible_after_seconds:
      state.reeligible === 'once' ? null : Math.round(Number(state.reeligibleAmount) * (UNIT_SECONDS[state.reeligibleUnit] ?? 1)),
    webhook: webhookFromState(state),
  };
  if (state.reeligible !== 'once' && !(Number(state.reeligibleAmount) >= 0)) {
    errors.push({ path: 'reeligible_after_seconds', message: 'enter a number of at least 0' });
  }
  if (state.onDeliveredText.trim() !== '') {
    try {
      campaign.on_delivered_update = { attributes: JSON.parse(state.onDeliveredText) };
    } catch (error) {
      errors.push({ path: 'on_delivered_update', message: `not valid JSON: ${error.message}` });
    }
  }
  return { campaign, errors };
}

export function stateFromCampaign(c) {
  const state = emptyFormState();
  const webhook = c.webhook ?? {};
  const trigger = c.trigger ?? {};
  const seconds = c.reeligible_after_seconds;
  const unit = seconds ? ['days', 'hours', 'minutes'].find((u) => seconds % UNIT_SECONDS[u] === 0) ?? 'seconds' : 'days';
  return {
    ...state,
    name: c.name ?? '',
    enabled: c.enabled !== false,
    method: webhook.method ?? 'POST',
    url: webhook.url ?? '',
    headers: Object.entries(webhook.headers ?? {}).map(([name, value]) => ({ name, value })),
    bodyType: webhook.body?.type === 'json_pairs' ? 'json_pairs' : 'raw',
    bodyText: webhook.body?.type === 'raw' ? webhook.body.text : '',
    pairs: webhook.body?.type === 'json_pairs' ? webhook.body.pairs.map((p) => ({ ...p })) : [],
    signingSecretRef: webhook.signing_secret_ref ?? '',
    trigger: {
      ...state.trigger,
      type: trigger.type ?? state.trigger.type,
      attribute: trigger.attribute ?? '',
      change: trigger.change ?? 'any',
      valueText: formatValueText(trigger.value),
      event: trigger.event ?? '',
      propertyFilters: (trigger.property_filters ?? []).map(rowFromFilter),
    },
    audience: (c.audience ?? []).map(rowFromFilter),
    reeligible: seconds === null || seconds === undefined ? 'once' : 'after',
    reeligibleAmount: seconds ? seconds / UNIT_SECONDS[unit] : 0,
    reeligibleUnit: seconds ? unit : 'days',
    onDeliveredText: c.on_delivered_update ? JSON.stringify(c.on_delivered_update.attributes, null, 2) : '',
  };
}

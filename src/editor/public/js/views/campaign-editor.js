// The campaign editor: form on the left, live preview on the right.
import { api } from '../api.js';
import { CHANGES, HTTP_METHODS, TRIGGER_TYPES, UNIT_SECONDS, campaignFromState, emptyFormState, stateFromCampaign, webhookFromState } from '../campaign-form.js';
import { field, h, mount, nextId } from '../dom.js';
import { fieldOfError } from '../positions.js';
import { templateField } from '../template-field.js';
import { filterRows } from './filter-rows.js';
import { createDryRunPanel } from './dry-run-panel.js';
import { createPreviewPanel } from './preview-panel.js';

const TRIGGER_LABELS = { custom_attribute_changed: 'Custom attribute changes', custom_event: 'Custom event', email_address_added: 'Email address added' };

export async function renderCampaignEditor(view, id) {
  const loaded = id ? await api('GET', `/campaigns/${encodeURIComponent(id)}`) : null;
  const state = loaded ? stateFromCampaign(loaded) : emptyFormState();
  /** fieldId (url, header:<name>, body, pair:<i>:key|value) -> template field */
  const templates = new Map();
  const preview = createPreviewPanel({ webhook: () => webhookFromState(state), onErrors: showRenderErrors, campaignId: loaded?.id });
  const changed = () => preview.schedule();
  const dryRun = createDryRunPanel({ definition: () => ({ webhook: webhookFromState(state), audience: campaignFromState(state).campaign.audience }), campaignId: loaded?.id });

  function showRenderErrors(errors) {
    const byField = new Map();
    for (const error of errors) {
      const { fieldId, message } = fieldOfError(error, state.bodyType);
      byField.set(fieldId, [...(byField.get(fieldId) ?? []), { ...error, message }]);
    }
    for (const [fieldId, tf] of templates) tf.setErrors(byField.get(fieldId) ?? []);
  }

  const text = (label, key, attrs = {}) =>
    field(label, h('input', { type: 'text', value: state[key], oninput: (e) => { state[key] = e.target.value; changed(); }, ...attrs }));

  // --- webhook -------------------------------------------------------------------------------
  const url = templateField({ label: 'URL', value: state.url, path: 'webhook.url', singleLine: true, onInput: (v) => { state.url = v; changed(); } });
  const method = field('HTTP method', h('select', { dataset: { path: 'webhook.method' }, onchange: (e) => { state.method = e.target.value; changed(); } }, HTTP_METHODS.map((m) => h('option', { value: m, selected: m === state.method }, m))));

  const headerList = h('div', { class: 'rows' });
  const renderHeaders = (focusLast = false) => {
    for (const key of [...templates.keys()]) if (key.startsWith('header:')) templates.delete(key);
    mount(headerList, state.headers.map((header, i) => {
      const nameId = nextId();
      const value = templateField({ label: 'Header value', value: header.value, path: `webhook.headers[${JSON.stringify(header.name)}]`, onInput: (v) => { header.value = v; changed(); } });
      templates.set(`header:${header.name.trim()}`, value);
      const name = h('input', { id: nameId, type: 'text', value: header.name, autocomplete: 'off', dataset: { path: 'webhook.headers' }, oninput: (e) => {
        templates.delete(`header:${header.name.trim()}`);
        header.name = e.target.value;
        templates.set(`header:${header.name.trim()}`, value);
        changed();
      } });
      return h('div', { class: 'row header-row', role: 'group', 'aria-label': `Header ${i + 1}` },
        h('div', { class: 'field' }, h('label', { for: nameId }, 'Header name'), name),
        h('div', { class: 'grow' }, value.element),
        h('button', { type: 'button', class: 'icon', 'aria-label': `Remove header ${i + 1}`, onclick: () => { state.headers.splice(i, 1); renderHeaders(); changed(); } }, '×'));
    }), h('button', { type: 'button', class: 'secondary', onclick: () => { state.headers.push({ name: '', value: '' }); renderHeaders(true); changed(); } }, 'Add header'));
    if (focusLast) headerList.querySelectorAll('.header-row input')[state.headers.length - 1]?.focus();
  };
  renderHeaders();

  const bodyArea = h('div', {});
  const renderBody = () => {
    for (const key of [...templates.keys()]) if (key === 'body' || key.startsWith('pair:')) templates.delete(key);
    if (state.bodyType === 'raw') {
      const body = templateField({ label: 'Body (raw text)', value: state.bodyText, rows: 8, path: 'webhook.body.text', onInput: (v) => { state.bodyText = v; changed(); } });
      templates.set('body', body);
      mount(bodyArea, body.element);
      return;
    }
    mount(bodyArea, h('div', { class: 'rows' }, state.pairs.map((pair, i) => {
      const key = templateField({ label: 'Key', value: pair.key, singleLine: true, path: `webhook.body.pairs[${i}].key`, onInput: (v) => { pair.key = v; changed(); } });
      const value = templateField({ label: 'Value', value: pair.value, path: `webhook.body.pairs[${i}].value`, onInput: (v) => { pair.value = v; changed(); } });
      templates.set(`pair:${i}:key`, key);
      templates.set(`pair:${i}:value`, value);
      return h('div', { class: 'row', role: 'group', 'aria-label': `Body pair ${i + 1}` }, h('div', { class: 'grow' }, key.element), h('div', { class: 'grow' }, value.element),
        h('button', { type: 'button', class: 'icon', 'aria-label': `Remove pair ${i + 1}`, onclick: () => { state.pairs.splice(i, 1); renderBody(); changed(); } }, '×'));
    }), h('button', { type: 'button', class: 'secondary', onclick: () => { state.pairs.push({ key: '', value: '' }); renderBody(); changed(); } }, 'Add pair')));
  };
  renderBody();
  const bodyType = h('fieldset', { class: 'inline' }, h('legend', {}, 'Request body'), ['raw', 'json_pairs'].map((type) => {
    const radioId = nextId();
    return h('span', { class: 'choice' }, h('input', { type: 'radio', id: radioId, name: 'body-type', value: type, checked: state.bodyType === type, onchange: () => { state.bodyType = type; renderBody(); changed(); } }),
      h('label', { for: radioId }, type === 'raw' ? 'Raw text' : 'JSON key/value pairs'));
  }));

  // --- trigger, audience, re-eligibility ------------------------------------------------------
  const triggerDetails = h('div', {});
  const renderTrigger = () => {
    const t = state.trigger;
    if (t.type === 'custom_attribute_changed') {
      const value = field('New value', h('input', { type: 'text', value: t.valueText, disabled: t.change !== 'to', dataset: { path: 'trigger.value' }, oninput: (e) => { t.valueText = e.target.value; } }), 'with change "to"');
      mount(triggerDetails, h('div', { class: 'row' },
        field('Attribute', h('input', { type: 'text', value: t.attribute, dataset: { path: 'trigger.attribute' }, oninput: (e) => { t.attribute = e.target.value; } })),
        field('Change', h('select', { dataset: { path: 'trigger.change' }, onchange: (e) => { t.change = e.target.value; renderTrigger(); } }, CHANGES.map((c) => h('option', { value: c, selected: c === t.change }, c === 'any' ? 'any new value' : c)))),
        value));
    } else if (t.type === 'custom_event') {
      mount(triggerDetails, field('Event name', h('input', { type: 'text', value: t.event, dataset: { path: 'trigger.event' }, oninput: (e) => { t.event = e.target.value; } })),
        h('h3', {}, 'Property filters'), filterRows({ rows: t.propertyFilters, path: 'trigger.property_filters', noun: 'property filter', onChange: () => {} }));
    } else mount(triggerDetails);
  };
  renderTrigger();
  const triggerType = field('Trigger', h('select', { dataset: { path: 'trigger.type' }, onchange: (e) => { state.trigger.type = e.target.value; renderTrigger(); } }, TRIGGER_TYPES.map((t) => h('option', { value: t, selected: t === state.trigger.type }, TRIGGER_LABELS[t]))));

  const amount = h('input', { type: 'number', min: 0, step: 'any', value: state.reeligibleAmount, 'aria-label': 'Re-eligible after amount', disabled: state.reeligible === 'once', dataset: { path: 'reeligible_after_seconds' }, oninput: (e) => { state.reeligibleAmount = e.target.value; } });
  const unit = h('select', { 'aria-label': 'Re-eligible after unit', disabled: state.reeligible === 'once', onchange: (e) => { state.reeligibleUnit = e.target.value; } }, Object.keys(UNIT_SECONDS).map((u) => h('option', { value: u, selected: u === state.reeligibleUnit }, u)));
  const reeligible = h('fieldset', {}, h('legend', {}, 'Re-eligibility'), ['once', 'after'].map((choice) => {
    const radioId = nextId();
    return h('div', { class: 'choice' }, h('input', { type: 'radio', id: radioId, name: 'reeligible', value: choice, checked: state.reeligible === choice, onchange: () => { state.reeligible = choice; amount.disabled = unit.disabled = choice === 'once'; } }),
      h('label', { for: radioId }, choice === 'once' ? 'A user receives this campaign only once' : 'A user may receive it again after'), choice === 'after' ? [' ', amount, ' ', unit] : null);
  }));

  const onDelivered = h('textarea', { class: 'mono', rows: 3, spellcheck: 'false', dataset: { path: 'on_delivered_update' }, oninput: (e) => { state.onDeliveredText = e.target.value; } });
  onDelivered.value = state.onDeliveredText;

  // --- save / delete --------------------------------------------------------------------------
  const saveStatus = h('div', { class: 'save-status', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'campaign-form', 'aria-label': 'Campaign', novalidate: true });
  const showSaveErrors = (message, errors) => {
    for (const el of form.querySelectorAll('[aria-invalid="true"]:not(.tpl-input)')) el.removeAttribute('aria-invalid');
    for (const e of errors) for (const el of form.querySelectorAll(`[data-path]`)) if (el.dataset.path === e.path) el.setAttribute('aria-invalid', 'true');
    mount(saveStatus, h('p', { class: 'error' }, message), errors.length > 0 && h('ul', { class: 'errors' }, errors.map((e) => h('li', {}, h('code', {}, e.path || '(campaign)'), `: ${e.message}`))));
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { campaign, errors } = campaignFromState(state);
    if (errors.length > 0) return showSaveErrors('Not saved: fix these fields.', errors);
    try {
      const saved = loaded ? await api('PUT', `/campaigns/${encodeURIComponent(id)}`, campaign) : await api('POST', '/campaigns', campaign);
      showSaveErrors('', []);
      mount(saveStatus, h('p', { class: 'ok' }, `Saved ${new Date().toLocaleTimeString()}.`), saved.ready === false && h('p', { class: 'warn' }, saved.inactive_reason ?? 'Not ready: placeholders lack values.'));
      if (!loaded) location.hash = `#/campaigns/${encodeURIComponent(saved.id)}`;
    } catch (error) {
      if (error.status !== 401) showSaveErrors(`Not saved: ${error.message}`, error.errors);
    }
  });
  const remove = loaded && h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!confirm(`Delete campaign "${loaded.name}"? Its delivery log stays.`)) return;
    try {
      await api('DELETE', `/campaigns/${encodeURIComponent(id)}`);
      location.hash = '#/campaigns';
    } catch (error) {
      showSaveErrors(`Not deleted: ${error.message}`, []);
    }
  } }, 'Delete');

  mount(form,
    h('section', { class: 'card' }, h('h2', {}, 'General'),
      text('Campaign name', 'name', { required: true, dataset: { path: 'name' } }),
      h('div', { class: 'choice' }, h('input', { type: 'checkbox', id: 'campaign-enabled', checked: state.enabled, onchange: (e) => { state.enabled = e.target.checked; } }), h('label', { for: 'campaign-enabled' }, 'Enabled'))),
    h('section', { class: 'card' }, h('h2', {}, 'Webhook'),
      h('div', { class: 'row' }, method, h('div', { class: 'grow' }, url.element)),
      h('h3', {}, 'Headers'), headerList, bodyType, bodyArea,
      text('Signing secret name (optional)', 'signingSecretRef', { dataset: { path: 'webhook.signing_secret_ref' } })),
    h('section', { class: 'card' }, h('h2', {}, 'Trigger'), triggerType, triggerDetails),
    h('section', { class: 'card' }, h('h2', {}, 'Audience'), h('p', { class: 'hint' }, 'A user must match every filter.'),
      filterRows({ rows: state.audience, path: 'audience', noun: 'filter', onChange: () => {} }), reeligible),
    h('section', { class: 'card' }, h('h2', {}, 'After delivery'), field('Attribute updates (JSON, optional)', onDelivered, 'e.g. { "lead_status": "MQL" }')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'), remove, saveStatus));
  method.classList.add('narrow');
  templates.set('url', url);

  mount(view,
    h('div', { class: 'title-row' }, h('h1', {}, loaded ? loaded.name : 'New campaign'), h('a', { href: '#/campaigns' }, 'All campaigns')),
    loaded?.inactive_reason ? h('p', { class: 'warn' }, loaded.inactive_reason) : null,
    // The dry run sits below the form, outside it: Enter in its fields must not save the campaign.
    h('div', { class: 'editor-layout' }, h('div', { class: 'editor-main' }, form, dryRun.element), preview.element));
  preview.run();
}

// Campaign list: name, trigger, state, last change; each name opens the editor.
import { api } from '../api.js';
import { formatTime, h, mount } from '../dom.js';

export function describeTrigger(trigger) {
  if (!trigger) return '';
  if (trigger.type === 'custom_attribute_changed') {
    const change = trigger.change === 'to' ? `to ${JSON.stringify(trigger.value)}` : trigger.change;
    return `attribute "${trigger.attribute}" changes (${change})`;
  }
  if (trigger.type === 'custom_event') return `event "${trigger.event}"`;
  return 'email address added';
}

function stateOf(c) {
  if (!c.enabled) return h('span', { class: 'badge muted' }, 'disabled');
  if (c.ready === false) return h('span', { class: 'badge warn', title: c.inactive_reason ?? '' }, 'not ready');
  return h('span', { class: 'badge ok' }, 'active');
}

export async function renderCampaignList(view) {
  mount(view, h('h1', {}, 'Campaigns'), h('p', { class: 'muted' }, 'Loading…'));
  const { campaigns } = await api('GET', '/campaigns');
  const table =
    campaigns.length === 0
      ? h('p', { class: 'empty' }, 'No campaigns yet.')
      : h(
          'table',
          {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Trigger'), h('th', { scope: 'col' }, 'Webhook'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Updated'))),
          h(
            'tbody',
            {},
            campaigns.map((c) =>
              h(
                'tr',
                {},
                h('td', {}, h('a', { href: `#/campaigns/${encodeURIComponent(c.id)}` }, c.name)),
                h('td', {}, describeTrigger(c.trigger)),
                h('td', { class: 'mono' }, `${c.webhook?.method ?? ''} ${c.webhook?.url ?? ''}`),
                h('td', {}, stateOf(c)),
                h('td', {}, formatTime(c.updated_at)),
              ),
            ),
          ),
        );
  mount(
    view,
    h('div', { class: 'title-row' }, h('h1', {}, 'Campaigns'), h('a', { class: 'button', href: '#/campaigns/new' }, 'New campaign')),
    table,
  );
}

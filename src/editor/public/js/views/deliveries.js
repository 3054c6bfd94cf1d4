// Delivery log with filters, per-attempt detail and replay; the dead-letter view is the log
// fixed to status "dead".
import { api, query } from '../api.js';
import { field, formatTime, h, mount } from '../dom.js';

const STATUSES = ['queued', 'sending', 'delivered', 'aborted', 'failed', 'dead'];
const PAGE = 50;

const statusBadge = (status) => h('span', { class: `badge status-${status}` }, status);

export async function renderDeliveries(view, params, fixed) {
  const filters = {
    campaign_id: params.get('campaign_id') ?? '',
    external_id: params.get('external_id') ?? '',
    status: fixed.status ?? params.get('status') ?? '',
  };
  const title = fixed.status === 'dead' ? 'Dead letters' : 'Delivery log';
  const { campaigns } = await api('GET', '/campaigns');
  const names = new Map(campaigns.map((c) => [c.id, c.name]));

  const campaign = h('select', { name: 'campaign_id' }, h('option', { value: '' }, 'All campaigns'), campaigns.map((c) => h('option', { value: c.id, selected: c.id === filters.campaign_id }, c.name)));
  const user = h('input', { type: 'text', name: 'external_id', value: filters.external_id, placeholder: 'external_id' });
  const status = fixed.status ? null : h('select', { name: 'status' }, h('option', { value: '' }, 'Any status'), STATUSES.map((s) => h('option', { value: s, selected: s === filters.status }, s)));
  const form = h('form', { class: 'filters card', role: 'search', 'aria-label': 'Filter deliveries' }, field('Campaign', campaign), field('User', user), status && field('Status', status), h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = query({ campaign_id: campaign.value, external_id: user.value.trim(), status: status?.value });
    location.hash = `#/${fixed.status === 'dead' ? 'dead' : 'deliveries'}${q}`;
  });

  const tbody = h('tbody', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older deliveries');
  const summary = h('p', { class: 'hint', role: 'status' });
  let before;
  let shown = 0;
  const load = async () => {
    const page = await api('GET', `/deliveries${query({ ...filters, limit: PAGE, before })}`);
    for (const d of page.deliveries) tbody.append(deliveryRow(d, names));
    shown += page.deliveries.length;
    before = page.next_before;
    more.hidden = !before;
    summary.textContent = shown === 0 ? 'No deliveries match.' : `${shown} deliver${shown === 1 ? 'y' : 'ies'} shown.`;
  };
  more.addEventListener('click', load);
  mount(view, h('h1', {}, title), form, summary,
    h('table', { class: 'deliveries' },
      h('thead', {}, h('tr', {}, ['Delivery', 'Campaign', 'User', 'Status', 'Attempts', 'Last error / abort reason', 'Updated'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody),
    more);
  await load();
}

function deliveryRow(d, names) {
  return h('tr', {},
    h('td', { class: 'mono' }, h('a', { href: `#/deliveries/${encodeURIComponent(d.id)}` }, d.id)),
    h('td', {}, names.get(d.campaign_id) ?? d.campaign_id),
    h('td', { class: 'mono' }, d.external_id),
    h('td', {}, statusBadge(d.status)),
    h('td', {}, d.attempts),
    h('td', { class: 'clip' }, d.last_error ?? d.abort_reason ?? ''),
    h('td', {}, formatTime(d.updated_at)));
}

/**
 * The replay button for a delivery in `status`, as POST /deliveries/:id/replay decides
 * (src/domain/replay.ts): dead and failed are sent again, aborted is rendered again against the
 * profile as it is now, delivered only when confirmed (force), queued and sending not at all.
 */
export function replayOffer(status) {
  switch (status) {
    case 'dead':
    case 'failed':
      return { allowed: true, label: 'Replay', title: 'Send it again with the same idempotency key' };
    case 'aborted':
      return { allowed: true, label: 'Render again and send', title: 'Render it again with the profile as it is now; it is sent unless it aborts again' };
    case 'delivered':
      return { allowed: true, force: true, label: 'Send again…', title: 'The receiver already has it; asks before sending it again' };
    default:
      return { allowed: false, label: 'Replay', title: `The delivery is ${status}: it can be replayed once it is finished` };
  }
}

export async function renderDeliveryDetail(view, id) {
  const d = await api('GET', `/deliveries/${encodeURIComponent(id)}`);
  // The campaign may have been deleted since; its id is shown then.
  const campaignName = await api('GET', `/campaigns/${encodeURIComponent(d.campaign_id)}`).then((c) => c.name, () => d.campaign_id);
  const replayStatus = h('div', { role: 'status', 'aria-live': 'polite' });
  const offer = replayOffer(d.status);
  const replay = h('button', { type: 'button', disabled: !offer.allowed, title: offer.title }, offer.label);
  replay.addEventListener('click', async () => {
    if (offer.force && !confirm('This delivery was delivered. Send it to the receiver again?')) return;
    replay.disabled = true;
    try {
      const queued = await api('POST', `/deliveries/${encodeURIComponent(id)}/replay`, offer.force ? { force: true } : undefined);
      mount(replayStatus, h('p', { class: 'ok' }, `Queued again (status ${queued.status}). `, h('a', { href: `#/deliveries/${encodeURIComponent(id)}`, onclick: () => renderDeliveryDetail(view, id) }, 'Refresh')));
    } catch (error) {
      replay.disabled = false;
      mount(replayStatus, h('p', { class: 'error' }, `Not replayed: ${error.message}`));
    }
  });
  const attempts = d.attempts_log ?? [];
  const facts = [
    ['Campaign', h('a', { href: `#/campaigns/${encodeURIComponent(d.campaign_id)}` }, campaignName)],
    ['User', d.external_id],
    ['Status', statusBadge(d.status)],
    ['Attempts', d.attempts],
    ['Created', formatTime(d.created_at)],
    ['First attempt', formatTime(d.first_attempt_at)],
    ['Next attempt', d.status === 'queued' ? formatTime(d.next_attempt_at) : ''],
    ['Abort reason', d.abort_reason ?? ''],
    ['Last error', d.last_error ?? ''],
    ['Idempotency key', h('code', {}, d.idempotency_key ?? '')],
  ].filter(([, v]) => v !== '' && v !== undefined && v !== null);
  mount(view,
    h('div', { class: 'title-row' }, h('h1', {}, 'Delivery ', h('code', {}, d.id)), h('a', { href: `#/deliveries${query({ campaign_id: d.campaign_id })}` }, 'Delivery log')),
    h('section', { class: 'card' }, h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])), h('div', { class: 'actions' }, replay, replayStatus)),
    d.request && h('section', { class: 'card' }, h('h2', {}, 'Request (redacted)'), h('pre', { class: 'mono' }, JSON.stringify(d.request, null, 2))),
    d.message_extras && Object.keys(d.message_extras).length > 0 && h('section', { class: 'card' }, h('h2', {}, 'Message extras'), h('pre', { class: 'mono' }, JSON.stringify(d.message_extras, null, 2))),
    h('section', { class: 'card' }, h('h2', {}, 'Attempts'),
      attempts.length === 0 ? h('p', { class: 'hint' }, 'No attempts recorded.') :
        h('ol', { class: 'attempts' }, attempts.map((a) => h('li', {},
          h('p', {}, h('strong', {}, `Attempt ${a.attempt}`), ` at ${formatTime(a.at)} — `, a.status_code ? `HTTP ${a.status_code}` : 'no response', `, ${a.latency_ms} ms`),
          a.error && h('p', { class: 'error' }, a.error),
          a.request && h('details', {}, h('summary', {}, 'Request'), h('pre', { class: 'mono' }, JSON.stringify(a.request, null, 2))),
          a.response_body && h('details', {}, h('summary', {}, 'Response body'), h('pre', { class: 'mono' }, a.response_body)))))),
    d.trigger && Object.keys(d.trigger).length > 0 && h('section', { class: 'card' }, h('h2', {}, 'Trigger'), h('pre', { class: 'mono' }, JSON.stringify(d.trigger, null, 2))));
}

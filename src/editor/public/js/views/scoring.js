// Scoring programs: a list and a JSON editor, validated by the API.
import { api } from '../api.js';
import { field, h, mount } from '../dom.js';

const EXAMPLE = {
  name: 'Lead scoring',
  attribute: 'lead score',
  action_groups: [{ name: 'Viewed pricing', events: [{ name: 'viewed_pricing' }], points: 10 }],
  inactivity: { window_days: 30, points: -5 },
};

const unavailable = (view, title) =>
  mount(view, h('h1', {}, title), h('p', { class: 'warn', role: 'status' }, 'This service does not offer scoring programs over the API (GET /scoring-programs answered 404).'));

const programsOf = (data) => data?.scoring_programs ?? data?.programs ?? data?.items ?? (Array.isArray(data) ? data : []);

export async function renderScoringList(view) {
  mount(view, h('h1', {}, 'Scoring programs'), h('p', { class: 'muted' }, 'Loading…'));
  let data;
  try {
    data = await api('GET', '/scoring-programs');
  } catch (error) {
    if (error.status === 404) return unavailable(view, 'Scoring programs');
    throw error;
  }
  const programs = programsOf(data);
  mount(
    view,
    h('div', { class: 'title-row' }, h('h1', {}, 'Scoring programs'), h('a', { class: 'button', href: '#/scoring/new' }, 'New program')),
    programs.length === 0
      ? h('p', { class: 'empty' }, 'No scoring programs yet.')
      : h('table', {},
          h('thead', {}, h('tr', {}, ['Name', 'Attribute', 'Action groups', 'State'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, programs.map((p) => h('tr', {},
            h('td', {}, h('a', { href: `#/scoring/${encodeURIComponent(p.id)}` }, p.name ?? p.id)),
            h('td', {}, p.attribute ?? ''),
            h('td', {}, (p.action_groups ?? []).length),
            h('td', {}, p.enabled === false ? h('span', { class: 'badge muted' }, 'disabled') : h('span', { class: 'badge ok' }, 'active')))))),
  );
}

/** The program without server-managed fields, as the textarea shows it. */
function editable(program) {
  const { id: _id, created_at: _c, updated_at: _u, ...rest } = program;
  return rest;
}

export async function renderScoringEditor(view, id) {
  let loaded = null;
  if (id) {
    try {
      loaded = await api('GET', `/scoring-programs/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error.status === 404) {
        return mount(view, h('h1', {}, 'Scoring program'), h('p', { class: 'warn', role: 'status' }, `Scoring program "${id}" was not found, or this service does not offer scoring programs.`), h('a', { href: '#/scoring' }, 'All programs'));
      }
      throw error;
    }
  }
  const input = h('textarea', { class: 'mono json-editor', rows: 22, spellcheck: 'false' });
  input.value = JSON.stringify(loaded ? editable(loaded) : EXAMPLE, null, 2);
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const showErrors = (message, errors = []) =>
    mount(status, h('p', { class: 'error' }, message), errors.length > 0 && h('ul', { class: 'errors' }, errors.map((e) => h('li', {}, h('code', {}, e.path || '(program)'), `: ${e.message}`))));

  const form = h('form', { class: 'card' }, field('Program (JSON)', input, 'Fields: name, attribute, entry, exclusions, action_groups, inactivity, floor, ceiling, enabled'), h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'),
    loaded && h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!confirm(`Delete scoring program "${loaded.name ?? id}"?`)) return;
      try {
        await api('DELETE', `/scoring-programs/${encodeURIComponent(id)}`);
        location.hash = '#/scoring';
      } catch (error) {
        showErrors(`Not deleted: ${error.message}`);
      }
    } }, 'Delete'), status));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let program;
    try {
      program = JSON.parse(input.value);
    } catch (error) {
      input.setAttribute('aria-invalid', 'true');
      return showErrors(`Not valid JSON: ${error.message}`);
    }
    input.removeAttribute('aria-invalid');
    try {
      const saved = loaded ? await api('PUT', `/scoring-programs/${encodeURIComponent(id)}`, program) : await api('POST', '/scoring-programs', program);
      mount(status, h('p', { class: 'ok' }, `Saved ${new Date().toLocaleTimeString()}.`));
      if (!loaded && saved?.id) location.hash = `#/scoring/${encodeURIComponent(saved.id)}`;
    } catch (error) {
      if (error.status === 404) return showErrors('This service does not offer scoring programs over the API.');
      if (error.status !== 401) showErrors(`Not saved: ${error.message}`, error.errors);
    }
  });
  mount(view, h('div', { class: 'title-row' }, h('h1', {}, loaded ? loaded.name ?? id : 'New scoring program'), h('a', { href: '#/scoring' }, 'All programs')), form);
}

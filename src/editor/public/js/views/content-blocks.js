// Content Blocks: a list (file blocks and stored ones) and an editor for stored blocks; the API
// validates (name, size, Liquid that parses, no block including itself). Campaign previews
// include the blocks as saved here.
import { api } from '../api.js';
import { field, formatTime, h, mount } from '../dom.js';

const tagOf = (name) => `{{content_blocks.\${${name}}}}`;

export async function renderContentBlockList(view) {
  mount(view, h('h1', {}, 'Content blocks'), h('p', { class: 'muted' }, 'Loading…'));
  const { content_blocks: blocks } = await api('GET', '/content-blocks');
  mount(
    view,
    h('div', { class: 'title-row' }, h('h1', {}, 'Content blocks'), h('a', { class: 'button', href: '#/content-blocks/new' }, 'New block')),
    h('p', { class: 'hint' }, 'A template includes a block with its Liquid tag; a block may include blocks too (two levels, as in Braze).'),
    blocks.length === 0
      ? h('p', { class: 'empty' }, 'No content blocks yet.')
      : h('table', {},
          h('thead', {}, h('tr', {}, ['Name', 'Liquid tag', 'Description', 'Kept in', 'Updated'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, blocks.map((b) => h('tr', {},
            h('td', {}, h('a', { href: `#/content-blocks/${encodeURIComponent(b.name)}` }, b.name)),
            h('td', { class: 'mono' }, b.liquid_tag),
            h('td', {}, b.description ?? ''),
            h('td', {}, b.source === 'file' ? h('span', { class: 'badge', title: b.file }, 'file') : h('span', { class: 'badge ok' }, 'API')),
            h('td', {}, b.updated_at ? formatTime(b.updated_at) : ''))))),
  );
}

export async function renderContentBlockEditor(view, name) {
  let loaded = null;
  if (name) {
    try {
      loaded = await api('GET', `/content-blocks/${encodeURIComponent(name)}`);
    } catch (error) {
      if (error.status !== 404) throw error;
      return mount(view, h('h1', {}, 'Content block'), h('p', { class: 'warn', role: 'status' }, `Content block "${name}" was not found.`), h('a', { href: '#/content-blocks' }, 'All blocks'));
    }
  }
  const readOnly = loaded?.source === 'file';
  const nameInput = h('input', { type: 'text', value: loaded?.name ?? '', required: true, pattern: '[A-Za-z0-9_\\-]{1,100}', readonly: Boolean(loaded) });
  const description = h('input', { type: 'text', value: loaded?.description ?? '', maxlength: 250, readonly: readOnly });
  const content = h('textarea', { class: 'mono', rows: 14, spellcheck: 'false', readonly: readOnly });
  content.value = loaded?.content ?? '';
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const showErrors = (message, errors = []) =>
    mount(status, h('p', { class: 'error' }, message), errors.length > 0 && h('ul', { class: 'errors' }, errors.map((e) => h('li', {}, h('code', {}, e.path || '(block)'), `: ${e.message}`))));

  const remove = async () => {
    if (!confirm(`Delete content block "${loaded.name}"?`)) return;
    try {
      await api('DELETE', `/content-blocks/${encodeURIComponent(loaded.name)}`);
      location.hash = '#/content-blocks';
    } catch (error) {
      if (error.status !== 401) showErrors(`Not deleted: ${error.message}`, error.errors);
    }
  };
  const form = h('form', { class: 'card' },
    field('Name', nameInput, 'Letters, digits, - and _ (at most 100); templates include it as {{content_blocks.${name}}}'),
    field('Description', description),
    field('Liquid', content, readOnly ? `Kept in ${loaded.file}: edit that file.` : 'Rendered where it is included, with the message\'s variables'),
    !readOnly && h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'), loaded && h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete'), status));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { content: content.value, ...(description.value ? { description: description.value } : {}) };
    try {
      const saved = await api('PUT', `/content-blocks/${encodeURIComponent(nameInput.value)}`, body);
      mount(status, h('p', { class: 'ok' }, `Saved ${new Date().toLocaleTimeString()}.`));
      if (!loaded) location.hash = `#/content-blocks/${encodeURIComponent(saved.name)}`;
    } catch (error) {
      if (error.status !== 401) showErrors(`Not saved: ${error.message}`, error.errors);
    }
  });
  mount(view,
    h('div', { class: 'title-row' }, h('h1', {}, loaded ? loaded.name : 'New content block'), h('a', { href: '#/content-blocks' }, 'All blocks')),
    loaded && h('p', { class: 'mono' }, tagOf(loaded.name)),
    form);
}

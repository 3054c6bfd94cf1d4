// Live preview of the webhook being edited: re-rendered ~300 ms after the last change through
// POST /preview (nothing is sent). Errors are handed back to the form to underline.
import { api } from '../api.js';
import { debounce, field, h, mount } from '../dom.js';

const DEFAULT_CONTEXT = { user_id: 'preview-user', custom_attribute: {} };

/**
 * @param {{ webhook: () => object, onErrors: (errors: object[]) => void, campaignId?: string }} options
 * `webhook` returns the current webhook JSON; `onErrors` receives the render's field errors
 * (empty when the preview rendered or could not run); `campaignId` (a saved campaign being
 * edited) lets the service fill in that campaign's configuration placeholders.
 */
export function createPreviewPanel({ webhook, onErrors, campaignId }) {
  const saved = campaignId ? { campaign_id: campaignId } : {};
  const externalId = h('input', { type: 'text', name: 'preview-user', autocomplete: 'off', placeholder: 'external_id' });
  const loadButton = h('button', { type: 'button', class: 'secondary' }, 'Load profile');
  const userStatus = h('p', { class: 'hint', 'aria-live': 'polite' });
  const contextInput = h('textarea', { id: 'preview-context', class: 'mono', rows: 6, spellcheck: 'false' });
  contextInput.value = JSON.stringify(DEFAULT_CONTEXT, null, 2);
  const contextError = h('p', { class: 'field-errors', id: 'preview-context-error' });
  contextInput.setAttribute('aria-describedby', contextError.id);
  const mode = h('select', { id: 'preview-mode' }, h('option', { value: 'stub' }, 'stubbed (no calls)'), h('option', { value: 'live' }, 'live (real calls)'));
  const output = h('div', { class: 'preview-output', id: 'preview-output', 'aria-live': 'polite', 'aria-busy': 'false' });

  let sequence = 0;
  const run = async () => {
    const mine = ++sequence;
    let context;
    try {
      context = JSON.parse(contextInput.value || '{}');
      if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new Error('must be a JSON object');
      contextError.textContent = '';
      contextInput.removeAttribute('aria-invalid');
    } catch (error) {
      contextError.textContent = `Liquid variables: ${error.message}`;
      contextInput.setAttribute('aria-invalid', 'true');
      return;
    }
    const sent = webhook();
    if (sent.url.trim() === '') {
      mount(output, h('p', { class: 'hint', role: 'status' }, 'Enter a URL to see the preview.'));
      onErrors([]);
      return;
    }
    output.setAttribute('aria-busy', 'true');
    try {
      const result = await api('POST', '/preview', { webhook: sent, context, connected_content: mode.value, ...saved });
      if (mine !== sequence) return; // a newer preview is on its way
      renderResult(output, result);
      onErrors(result.errors);
    } catch (error) {
      if (mine !== sequence || error.status === 401) return;
      renderRequestError(output, error);
      onErrors([]);
    } finally {
      if (mine === sequence) output.setAttribute('aria-busy', 'false');
    }
  };
  const schedule = debounce(run, 300);

  const loadProfile = async () => {
    const id = externalId.value.trim();
    if (!id) return;
    userStatus.textContent = 'Loading…';
    try {
      const profile = await api('GET', `/users/${encodeURIComponent(id)}`);
      const result = await api('POST', '/preview', { webhook: webhook(), external_id: id, connected_content: 'stub', ...saved });
      contextInput.value = JSON.stringify(result.context, null, 2);
      userStatus.textContent = `Loaded ${profile.external_id} (${Object.keys(profile.attributes).length} attributes, updated ${new Date(profile.updated_at).toLocaleString()}).`;
      schedule();
    } catch (error) {
      userStatus.textContent = error.status === 404 ? `No user with external_id "${id}".` : `Could not load: ${error.message}`;
    }
  };
  loadButton.addEventListener('click', loadProfile);
  externalId.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      loadProfile();
    }
  });
  contextInput.addEventListener('input', schedule);
  mode.addEventListener('change', schedule);

  const element = h(
    'section',
    { class: 'preview card', 'aria-labelledby': 'preview-title' },
    h('h2', { id: 'preview-title' }, 'Preview'),
    h('div', { class: 'inline' }, field('Recipient', externalId), loadButton),
    userStatus,
    field('Liquid variables (JSON)', contextInput, 'What the template reads: user_id, custom_attribute, event_properties, …'),
    contextError,
    field('connected_content', mode),
    output,
  );
  return { element, schedule, run };
}

function renderResult(output, r) {
  const status = r.errors.length > 0
    ? h('p', { class: 'status error', role: 'status' }, `${r.errors.length} error${r.errors.length > 1 ? 's' : ''}: nothing would be sent`)
    : r.aborted
      ? h('p', { class: 'status warn', role: 'status' }, 'Aborted: ', h('q', { class: 'abort-reason' }, r.aborted.reason), ' (nothing would be sent)')
      : h('p', { class: 'status ok', role: 'status' }, 'Rendered');
  const rendered = r.errors.length === 0 && !r.aborted;
  mount(
    output,
    status,
    r.errors.length > 0 &&
      h('ul', { class: 'errors' }, r.errors.map((e) => h('li', {}, h('code', {}, e.field), e.line > 0 ? ` line ${e.line}, column ${e.column}` : '', `: ${e.message}`))),
    rendered && h('p', { class: 'request-line mono' }, h('strong', {}, r.method), ' ', r.url),
    rendered && Object.keys(r.headers).length > 0 &&
      h('table', { class: 'kv' }, h('caption', {}, 'Headers'), h('tbody', {}, Object.entries(r.headers).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'mono' }, v))))),
    rendered && h('div', {}, h('h3', {}, 'Body'), h('pre', { class: 'body-output', id: 'preview-body' }, r.body === '' ? h('span', { class: 'muted' }, '(empty)') : r.body)),
    r.connected_content.length > 0 &&
      h('table', { class: 'calls' }, h('caption', {}, 'connected_content calls'),
        h('thead', {}, h('tr', {}, ['Method', 'URL', 'Status', 'ms', 'Saved as'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, r.connected_content.map((c) => h('tr', {}, h('td', {}, c.method), h('td', { class: 'mono' }, c.url), h('td', {}, c.error ? h('span', { class: 'error' }, c.error) : c.stubbed ? `${c.status_code ?? ''} (stub)` : c.status_code ?? ''), h('td', {}, c.stubbed ? h('span', { class: 'badge', title: 'Answered by the preview: no request was sent' }, 'stubbed') : c.cached ? 'cached' : c.duration_ms), h('td', {}, c.save_as ?? ''))))),
    r.warnings.length > 0 && h('div', {}, h('h3', {}, 'Warnings'), h('ul', { class: 'warnings' }, r.warnings.map((w) => h('li', {}, w)))),
  );
}

function renderRequestError(output, error) {
  mount(
    output,
    h('p', { class: 'status error', role: 'status' }, `Preview failed: ${error.message}`),
    error.errors.length > 0 && h('ul', { class: 'errors' }, error.errors.map((e) => h('li', {}, h('code', {}, e.path || '(request)'), `: ${e.message}`))),
  );
}

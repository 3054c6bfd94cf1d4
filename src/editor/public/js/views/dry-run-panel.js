// Dry run of the campaign being edited: renders the webhook for every profile in the audience
// (or a sample) without sending, through POST /dry-run; shows progress, can cancel, and shows
// the counts with example users. The service runs it on a thread of its own.
import { api } from '../api.js';
import { field, h, mount } from '../dom.js';

const POLL_MS = 500;
const number = (n) => Number(n).toLocaleString();

/**
 * @param {{ definition: () => { webhook: object, audience: object[] }, campaignId?: string }} options
 * `definition` returns the webhook and audience as edited; `campaignId` (a saved campaign) lets the
 * service fill in that campaign's configuration placeholders.
 */
export function createDryRunPanel({ definition, campaignId }) {
  const sample = h('input', { type: 'number', min: 1, step: 1, name: 'dry-run-sample', placeholder: 'everyone', inputmode: 'numeric' });
  const seed = h('input', { type: 'text', name: 'dry-run-seed', autocomplete: 'off', placeholder: 'random' });
  const mode = h('select', { id: 'dry-run-mode' }, h('option', { value: 'stub' }, 'stubbed (no calls)'), h('option', { value: 'live' }, 'live (each distinct call once)'));
  const start = h('button', { type: 'button', class: 'secondary' }, 'Dry run');
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel dry run');
  const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Dry run progress', hidden: true });
  const status = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  const output = h('div', { class: 'dry-run-output', id: 'dry-run-output' });
  let current;
  let timer;

  const show = (run) => {
    const { done, of, profiles_per_second: rate, eta_seconds: eta, phase } = run.progress;
    bar.max = Math.max(1, of);
    bar.value = done;
    const what = phase === 'scanning' ? 'profiles scanned for the sample' : 'profiles';
    status.textContent =
      run.status === 'running'
        ? `${of > 0 ? Math.floor((100 * done) / of) : 0}% · ${number(done)} of ${number(of)} ${what} · ${number(Math.round(rate))}/s${eta !== null ? ` · about ${Math.ceil(eta)} s left` : ''}`
        : `Dry run ${run.status.replace('_', ' ')} in ${(run.progress.elapsed_ms / 1000).toFixed(1)} s${run.error ? `: ${run.error}` : ''}.`;
    renderResult(output, run);
  };

  const finish = () => {
    clearTimeout(timer);
    current = undefined;
    start.disabled = false;
    cancel.hidden = true;
    bar.hidden = true;
  };

  const poll = async () => {
    if (!current) return;
    try {
      const run = await api('GET', `/dry-runs/${current}`);
      show(run);
      if (run.status === 'running') timer = setTimeout(poll, POLL_MS);
      else finish();
    } catch (error) {
      if (error.status !== 401) status.textContent = `Could not follow the dry run: ${error.message}`;
      finish();
    }
  };

  start.addEventListener('click', async () => {
    const { webhook, audience } = definition();
    const body = { webhook, audience, connected_content: mode.value, ...(campaignId ? { campaign_id: campaignId } : {}) };
    if (sample.value.trim() !== '') body.sample = Number(sample.value);
    if (seed.value.trim() !== '') body.seed = seed.value.trim();
    start.disabled = true;
    mount(output);
    status.textContent = 'Starting…';
    try {
      const run = await api('POST', '/dry-run', body);
      current = run.id;
      cancel.hidden = false;
      bar.hidden = false;
      show(run);
      timer = setTimeout(poll, POLL_MS);
    } catch (error) {
      finish();
      if (error.status === 401) return;
      status.textContent = `Dry run not started: ${error.message}`;
      mount(output, error.errors.length > 0 && h('ul', { class: 'errors' }, error.errors.map((e) => h('li', {}, h('code', {}, e.path || '(request)'), `: ${e.message}`))));
    }
  });

  cancel.addEventListener('click', async () => {
    if (!current) return;
    const id = current;
    clearTimeout(timer);
    try {
      show(await api('DELETE', `/dry-runs/${id}`));
    } catch (error) {
      if (error.status !== 401) status.textContent = `Could not cancel: ${error.message}`;
    }
    finish();
  });

  const element = h(
    'section',
    { class: 'card dry-run', 'aria-labelledby': 'dry-run-title' },
    h('h2', { id: 'dry-run-title' }, 'Dry run'),
    h('p', { class: 'hint' }, 'Renders this webhook for every profile in the audience, or a sample, and counts what would be sent, aborted or fail. Nothing is sent.'),
    h('div', { class: 'row' }, field('Sample size', sample, 'empty: the whole audience'), field('Seed', seed, 'the same seed picks the same users'), field('connected_content', mode)),
    h('div', { class: 'actions' }, start, cancel),
    bar,
    status,
    output,
  );
  return { element };
}

function examples(group) {
  if (group.examples.length === 0) return null;
  return h('ul', { class: 'examples' }, group.examples.map((e) =>
    h('li', {}, h('code', {}, e.external_id),
      e.request ? h('details', {}, h('summary', {}, `${e.request.method} ${e.request.url}`), h('pre', { class: 'mono' }, e.request.body === '' ? '(empty body)' : e.request.body)) : null,
      e.errors?.length ? ` ${e.errors.map((x) => `${x.field}${x.line > 0 ? ` line ${x.line}` : ''}: ${x.message}`).join('; ')}` : null)));
}

function renderResult(output, run) {
  const total = (groups) => groups.reduce((n, g) => n + g.count, 0);
  mount(
    output,
    h('dl', { class: 'facts' },
      h('dt', {}, 'In the audience'), h('dd', {}, `${number(run.in_audience)} of ${number(run.scanned)} profiles read${run.options.sample !== null ? ` (sample of ${number(run.options.sample)}, seed ${run.options.seed})` : ''}`),
      h('dt', {}, 'Would send'), h('dd', { class: 'ok', id: 'dry-run-would-send' }, number(run.would_send.count)),
      h('dt', {}, 'Aborted'), h('dd', { class: 'warn', id: 'dry-run-aborted' }, number(total(run.aborted))),
      h('dt', {}, 'Errors'), h('dd', { class: 'error', id: 'dry-run-errors' }, number(total(run.errors)))),
    run.would_send.count > 0 && h('details', { class: 'dry-run-group' }, h('summary', {}, `Would send: ${number(run.would_send.count)}`), examples(run.would_send)),
    run.aborted.map((g) => h('details', { class: 'dry-run-group' }, h('summary', {}, `Aborted (${number(g.count)}): `, h('q', {}, g.reason)), examples(g))),
    run.errors.map((g) => h('details', { class: 'dry-run-group' }, h('summary', { class: 'error' }, `Error (${number(g.count)}): ${g.message}`), examples(g))),
    run.warnings.length > 0 && h('ul', { class: 'warnings' }, run.warnings.map((w) => h('li', {}, w))),
  );
}

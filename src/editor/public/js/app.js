// Hash routes -> views. Without a stored API key every route shows the login form.
import { UNAUTHORIZED_EVENT, clearApiKey, getApiKey } from './api.js';
import { h, mount } from './dom.js';
import { renderCampaignEditor } from './views/campaign-editor.js';
import { renderCampaignList } from './views/campaigns.js';
import { renderContentBlockEditor, renderContentBlockList } from './views/content-blocks.js';
import { renderDeliveries, renderDeliveryDetail } from './views/deliveries.js';
import { renderLogin } from './views/login.js';
import { renderScoringEditor, renderScoringList } from './views/scoring.js';

const view = document.getElementById('view');
const nav = document.getElementById('nav');

const ROUTES = [
  [/^\/campaigns\/new$/, () => renderCampaignEditor(view, null)],
  [/^\/campaigns\/([^/]+)$/, (m) => renderCampaignEditor(view, decodeURIComponent(m[1]))],
  [/^\/campaigns$/, () => renderCampaignList(view)],
  [/^\/content-blocks\/new$/, () => renderContentBlockEditor(view, null)],
  [/^\/content-blocks\/([^/]+)$/, (m) => renderContentBlockEditor(view, decodeURIComponent(m[1]))],
  [/^\/content-blocks$/, () => renderContentBlockList(view)],
  [/^\/scoring\/new$/, () => renderScoringEditor(view, null)],
  [/^\/scoring\/([^/]+)$/, (m) => renderScoringEditor(view, decodeURIComponent(m[1]))],
  [/^\/scoring$/, () => renderScoringList(view)],
  [/^\/deliveries\/([^/]+)$/, (m) => renderDeliveryDetail(view, decodeURIComponent(m[1]))],
  [/^\/deliveries$/, (_m, params) => renderDeliveries(view, params, {})],
  [/^\/dead$/, (_m, params) => renderDeliveries(view, params, { status: 'dead' })],
];

let cleanup;

async function route() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const [path, search = ''] = (location.hash.slice(1) || '/campaigns').split('?');
  if (!getApiKey()) {
    nav.hidden = true;
    renderLogin(view, route);
    return;
  }
  nav.hidden = false;
  for (const link of nav.querySelectorAll('a')) {
    const target = link.getAttribute('href').slice(1);
    if (path === target || path.startsWith(`${target}/`)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const match = ROUTES.find(([pattern]) => pattern.test(path));
  if (!match) {
    mount(view, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/campaigns' }, 'Back to campaigns')));
    return;
  }
  try {
    cleanup = await match[1](path.match(match[0]), new URLSearchParams(search));
  } catch (error) {
    if (error?.status === 401) return; // the unauthorized event re-routes to the login form
    mount(view, h('h1', {}, 'Something went wrong'), h('p', { class: 'error', role: 'alert' }, String(error?.message ?? error)));
  }
}

window.addEventListener('hashchange', route);
window.addEventListener(UNAUTHORIZED_EVENT, () => route());
document.getElementById('sign-out').addEventListener('click', () => {
  clearApiKey();
  route();
});
route();

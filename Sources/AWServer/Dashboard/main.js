// The dashboard's entry: hash routes (#/activity, #/timeline, #/buckets, #/query, #/settings),
// the header, and error display.
import './theme.js';
import * as activity from './activity.js';
import * as buckets from './buckets.js';
import * as explorer from './explorer.js';
import * as settings from './settings.js';
import * as timeline from './timeline.js';
import { api, forgetSettings, loadSettings } from './api.js';
import { applyTheme } from './theme.js';
import { el } from './util.js';

const views = { activity, timeline, buckets, query: explorer, settings };
let current = 0;

/** Opens a view: `navigate('activity', [], {range: 'week'})` sets the address. */
function navigate(name, parts = [], params = {}) {
  const search = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== undefined && value !== null));
  const path = [name, ...parts].map(encodeURIComponent).join('/');
  const hash = `#/${path}${search.toString() ? `?${search}` : ''}`;
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  const [path, search] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const name = views[parts[0]] ? parts[0] : 'activity';
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', link.dataset.view === name);
  // `route` tells which address a view was drawn for (tests and benchmarks wait for the current one).
  const view = el('div', { class: 'view', id: `view-${name}`, dataset: { state: 'loading', route: location.hash } });
  document.getElementById('view').replaceChildren(view);
  document.title = `${name === 'query' ? 'Query' : name[0].toUpperCase() + name.slice(1)} · ActivityWatch`;
  const run = ++current;
  const begun = performance.now();
  forgetSettings();
  loadSettings().then((values) => applyTheme(values.theme)).catch(() => {});
  try {
    await views[name].render(view, { parts: parts.slice(1), params: Object.fromEntries(new URLSearchParams(search || '')), navigate });
    if (run !== current) return;
    view.dataset.state = 'ready';
    // For benchmarks: the view's own time, and the time since the page was requested.
    view.dataset.renderMs = String(Math.round(performance.now() - begun));
    view.dataset.readyAt = String(Math.round(performance.now()));
  } catch (error) {
    if (run !== current) return;
    console.error(error);
    view.append(el('div', { class: 'error', id: 'view-error' }, `Could not load this view: ${error.message}`));
    view.dataset.state = 'error';
  }
}

window.addEventListener('hashchange', route);
route();
// Notices (e.g. a history import that failed on the first start) stay above every view.
api.notices().then((notices) => {
  document.getElementById('notices').replaceChildren(...notices.map((notice) =>
    el('div', { class: 'notice', dataset: { notice: notice.id } },
      el('p', {}, notice.message),
      notice.command ? el('code', {}, notice.command) : null)));
}).catch(() => {});
api.info().then((info) => {
  document.getElementById('server-info').textContent = `${info.hostname} · ${info.version}${info.testing ? ' · testing' : ''}`;
}).catch(() => {});

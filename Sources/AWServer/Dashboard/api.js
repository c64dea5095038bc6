// The REST API of this server (/api/0), the settings the dashboard shares with the official
// web UI, and the buckets' roles (window, AFK, browser) per host.
import { dialog } from './util.js';

const KEY_STORAGE = 'aw-dashboard-api-key';

/** An error answer from the server: its HTTP status, message and body. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body || {};
  }
}

let keyPrompt = null;

/** Asks once (for all requests waiting) for the server's API key and remembers it. */
function askForKey() {
  keyPrompt ??= dialog({
    title: 'API key required',
    message: 'This server asks for an API key (the [auth] api_key of its config.toml).',
    fields: [{ name: 'key', label: 'API key', type: 'password' }],
    confirm: 'Use key',
  }).then((values) => {
    keyPrompt = null;
    if (!values || !values.key) return false;
    localStorage.setItem(KEY_STORAGE, values.key);
    return true;
  });
  return keyPrompt;
}

/**
 * Sends a request to /api/0/<path>. `json` is sent as a JSON body, `body` as is; the answer is
 * parsed JSON (null for an empty body), or the Response itself with `raw`.
 */
export async function request(method, path, { json, body, raw = false } = {}) {
  const headers = new Headers();
  const key = localStorage.getItem(KEY_STORAGE);
  if (key) headers.set('Authorization', `Bearer ${key}`);
  if (json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(json);
  }
  const response = await fetch(`/api/0/${path}`, { method, headers, body });
  if (response.status === 401 && await askForKey()) return request(method, path, { json, body, raw });
  if (!response.ok) {
    let answer = {};
    try {
      answer = await response.json();
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(response.status, answer.message || `${response.status} ${response.statusText}`, answer);
  }
  if (raw) return response;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

const bucketPath = (id) => `buckets/${encodeURIComponent(id)}`;

function eventsQuery({ start, end, limit } = {}) {
  const parameters = new URLSearchParams();
  if (start) parameters.set('start', start.toISOString());
  if (end) parameters.set('end', end.toISOString());
  if (limit !== undefined) parameters.set('limit', String(limit));
  const text = parameters.toString();
  return text ? `?${text}` : '';
}

/** One function per endpoint the dashboard uses. */
export const api = {
  info: () => request('GET', 'info'),
  /** What the user should act on: [{id, message, command}]. */
  notices: () => request('GET', 'notices'),
  /** All buckets as a list, sorted by id. */
  buckets: async () => Object.values(await request('GET', 'buckets/')).sort((a, b) => a.id.localeCompare(b.id)),
  events: (id, range) => request('GET', `${bucketPath(id)}/events${eventsQuery(range)}`),
  eventCount: (id) => request('GET', `${bucketPath(id)}/events/count`),
  deleteBucket: (id) => request('DELETE', `${bucketPath(id)}?force=1`),
  /** Runs a query for each period ([{start, end}] dates); one result per period. */
  query: (periods, text) => request('POST', 'query/', {
    json: { timeperiods: periods.map(({ start, end }) => `${start.toISOString()}/${end.toISOString()}`), query: [text] },
  }),
  /** An export (one bucket, or all when `id` is omitted) as a Blob. */
  exportBlob: async (id) => (await request('GET', id ? `${bucketPath(id)}/export` : 'export', { raw: true })).blob(),
  /** Imports an export file through the multipart form upload. */
  importFile: (file) => {
    const form = new FormData();
    form.append('buckets.json', file, file.name);
    return request('POST', 'import', { body: form });
  },
  saveSetting: (key, value) => request('POST', `settings/${encodeURIComponent(key)}`, { json: value }),
};

/** The default categories (the official web UI's rules), also stored by the server in a new database. */
export const defaultClasses = await fetch('default-categories.json').then((response) => response.json());

/** The dashboard's settings, stored under the official web UI's keys so both UIs share them. */
export const settingDefaults = { classes: defaultClasses, startOfDay: '04:00', startOfWeek: 'Monday', theme: 'light' };

let settingsPromise = null;

/** Makes the next `loadSettings` read the server again (each view starts from stored settings). */
export function forgetSettings() {
  settingsPromise = null;
}

/** The settings, with defaults for those not stored yet (read once per view). */
export function loadSettings() {
  settingsPromise ??= request('GET', 'settings/').then((stored) => {
    const values = { ...settingDefaults };
    for (const key of Object.keys(settingDefaults)) {
      if (stored && stored[key] !== null && stored[key] !== undefined) values[key] = stored[key];
    }
    if (!Array.isArray(values.classes)) values.classes = defaultClasses;
    return values;
  }).catch((error) => {
    settingsPromise = null;
    throw error;
  });
  return settingsPromise;
}

/** Stores one setting and updates the loaded settings. */
export async function saveSetting(key, value) {
  await api.saveSetting(key, value);
  (await loadSettings())[key] = value;
}

/** The browsers whose aw-watcher-web buckets the Activity view knows, with their window app names. */
export const browsers = {
  chrome: '(?i)^(google[-_ ]?chrome|chrome|chromium)([-_ ]?(browser|stable|beta))?(\\.exe)?$',
  firefox: '(?i)^(firefox|firefox-esr|firefoxdeveloperedition|nightly|librewolf|waterfox)(\\.exe)?$',
  opera: '(?i)^opera(\\.exe)?$',
  brave: '(?i)^brave([-_ ]browser)?(\\.exe)?$',
  edge: '(?i)^(microsoft[-_ ]?edge|msedge)(\\.exe)?$',
  arc: '(?i)^arc(\\.exe)?$',
  vivaldi: '(?i)^vivaldi(-stable)?(\\.exe)?$',
  orion: '(?i)^orion$',
  yandex: '(?i)^yandex(\\.exe)?$',
  zen: '(?i)^zen(\\.exe)?$',
  floorp: '(?i)^floorp(\\.exe)?$',
  helium: '(?i)^helium(\\.exe)?$',
};

/**
 * The hosts that report window activity, each with its window, AFK and browser buckets:
 * [{hostname, window, afk, browsers: [{browser, id}]}], sorted by the newest activity first.
 */
export function hostsOf(buckets) {
  const hosts = new Map();
  const hostOf = (bucket) => bucket.hostname || bucket.id.split('_').slice(1).join('_') || 'unknown';
  const entry = (name) => {
    if (!hosts.has(name)) hosts.set(name, { hostname: name, window: null, afk: null, browsers: [], lastUpdated: '' });
    return hosts.get(name);
  };
  for (const bucket of buckets) {
    const host = entry(hostOf(bucket));
    if (bucket.type === 'currentwindow' && !host.window) host.window = bucket.id;
    else if (bucket.type === 'afkstatus' && !host.afk) host.afk = bucket.id;
    else continue;
    if ((bucket.last_updated || '') > host.lastUpdated) host.lastUpdated = bucket.last_updated;
  }
  const webBuckets = buckets.filter((bucket) => bucket.type === 'web.tab.current');
  for (const host of hosts.values()) {
    for (const bucket of webBuckets) {
      const browser = Object.keys(browsers).find((name) => bucket.id.includes(name));
      // A browser bucket belongs to the host it names, or to every host when it names none.
      const named = bucket.hostname && bucket.hostname !== 'unknown' ? hostOf(bucket) : null;
      if (browser && (!named || named === host.hostname)) host.browsers.push({ browser, id: bucket.id });
    }
  }
  return [...hosts.values()].filter((host) => host.window)
    .sort((a, b) => b.lastUpdated.localeCompare(a.lastUpdated) || a.hostname.localeCompare(b.hostname));
}

// Activity: a day, week or month of one host: active time, top applications, window titles,
// categories, browser domains, and a strip of applications and AFK time (or active time per day).
import { api, hostsOf, loadSettings } from './api.js';
import { barList, dayColumns, Timeline, timelineItems } from './charts.js';
import { activeTimeQuery, activityQuery, dayStripQuery } from './queries.js';
import { addDays, colorFor, el, formatDate, formatDuration, logicalDate, parseDate, periodOf } from './util.js';

const ranges = ['day', 'week', 'month'];

/** The colour of a category: its own, else the nearest parent's, else one from its top name. */
export function categoryColor(name, classes) {
  for (let length = name.length; length > 0; length -= 1) {
    const match = classes.find((entry) => entry.data?.color && entry.name?.join('\u0000') === name.slice(0, length).join('\u0000'));
    if (match) return match.data.color;
  }
  return colorFor(name[0] || 'Uncategorized');
}

function card(id, title, ...content) {
  return el('section', { class: 'card', id }, el('h2', {}, title), ...content);
}

export async function render(view, { params, navigate }) {
  const [settings, buckets] = await Promise.all([loadSettings(), api.buckets()]);
  const hosts = hostsOf(buckets);
  if (hosts.length === 0) {
    view.append(el('section', { class: 'card empty-state' },
      el('h2', {}, 'No activity recorded yet'),
      el('p', {}, 'aw-server records the active window and AFK time while it runs in an X11 desktop session. ' +
        'Other watchers can report here too; their buckets show up under '), el('a', { href: '#/buckets' }, 'Buckets'), '.'));
    return;
  }
  const host = hosts.find((entry) => entry.hostname === params.host) || hosts[0];
  const range = ranges.includes(params.range) ? params.range : 'day';
  const date = parseDate(params.date) || logicalDate(new Date(), settings.startOfDay);
  const period = periodOf(range, date, settings.startOfDay, settings.startOfWeek);
  const go = (changes) => navigate('activity', [], {
    host: host.hostname, range, date: formatDate(date), category: params.category, ...changes,
  });
  const step = (direction) => {
    if (range === 'day') return formatDate(addDays(date, direction));
    if (range === 'week') return formatDate(addDays(date, 7 * direction));
    return formatDate(new Date(date.getFullYear(), date.getMonth() + direction, 1));
  };
  // A chosen category shows only its time, its subcategories' included.
  const category = params.category ? params.category.split(' > ') : null;
  const categoryPaths = category && [...settings.classes.map((entry) => entry.name), ['Uncategorized']]
    .filter((name) => Array.isArray(name) && category.every((part, index) => name[index] === part));
  const title = range === 'day' ? formatDate(period.start)
    : range === 'week' ? `Week of ${formatDate(period.start)}`
      : period.start.toLocaleDateString(undefined, { year: 'numeric', month: 'long' });

  view.append(el('div', { class: 'toolbar' },
    hosts.length > 1
      ? el('label', {}, 'Host ', el('select', { id: 'host', onchange: (event) => go({ host: event.target.value }) },
        hosts.map((entry) => el('option', { value: entry.hostname, selected: entry === host }, entry.hostname))))
      : el('span', { class: 'host', id: 'host' }, host.hostname),
    el('div', { class: 'segmented' }, ranges.map((name) =>
      el('button', { type: 'button', class: name === range ? 'active' : '', dataset: { range: name }, onclick: () => go({ range: name }) },
        name[0].toUpperCase() + name.slice(1)))),
    el('div', { class: 'segmented' },
      el('button', { type: 'button', id: 'previous', title: 'Earlier', onclick: () => go({ date: step(-1) }) }, '‹'),
      el('button', { type: 'button', id: 'today', onclick: () => go({ date: formatDate(logicalDate(new Date(), settings.startOfDay)) }) }, 'Today'),
      el('button', { type: 'button', id: 'next', title: 'Later', onclick: () => go({ date: step(1) }) }, '›')),
    el('input', { type: 'date', id: 'date', value: formatDate(date), onchange: (event) => event.target.value && go({ date: event.target.value }) }),
    category ? el('span', { class: 'chip', id: 'category-filter' }, `Category: ${category.join(' > ')}`,
      el('button', { type: 'button', title: 'Show all categories', onclick: () => go({ category: undefined }) }, '×')) : null));

  const sources = {
    windowBucket: host.window, afkBucket: host.afk, browserBuckets: host.browsers, classes: settings.classes,
    categories: categoryPaths && (categoryPaths.length ? categoryPaths : [category]),
  };
  const [[summary], detail] = await Promise.all([
    api.query([period], activityQuery(sources)),
    range === 'day'
      ? api.query([period], dayStripQuery(sources))
      : host.afk ? api.query(period.days.map((day) => ({ start: day, end: addDays(day, 1) })), activeTimeQuery(sources)) : null,
  ]);
  const window = summary.window;
  const browser = summary.browser;

  view.append(el('div', { class: 'summary' },
    el('div', {}, el('span', { class: 'caption' }, title)),
    el('div', {}, el('span', { class: 'caption' }, 'Active time '), el('strong', { id: 'active-time', dataset: { seconds: String(window.duration) } }, formatDuration(window.duration))),
    browser.duration > 0 ? el('div', {}, el('span', { class: 'caption' }, 'In the browser '), el('strong', { id: 'browser-time' }, formatDuration(browser.duration))) : null,
    host.afk ? null : el('div', { class: 'warning' }, 'No AFK bucket for this host: all window time counts as active.')));

  const grid = el('div', { class: 'grid' });
  if (range === 'day') {
    const strip = new Timeline([
      { label: 'Applications', events: timelineItems(detail[0].apps, (event) => colorFor(event.data.app), (event) => [`app: ${event.data.app}`]) },
      { label: 'AFK status', events: timelineItems(detail[0].afk, (event) => (event.data.status === 'not-afk' ? 'var(--active)' : 'var(--idle)'), (event) => [`status: ${event.data.status}`]) },
    ], period.start.getTime(), period.end.getTime());
    view.append(card('day-timeline', 'Timeline', strip.element));
  } else if (detail) {
    view.append(card('per-day', 'Active time per day', dayColumns(
      period.days.map((day, index) => ({ date: day, seconds: detail[index] || 0 })),
      (day) => go({ range: 'day', date: formatDate(day) }))));
  }
  grid.append(
    card('top-apps', 'Top applications', barList(window.app_events.map((event) => ({
      label: event.data.app, seconds: event.duration, color: colorFor(event.data.app),
    })))),
    card('top-categories', 'Top categories', barList(window.cat_events.map((event) => {
      const name = Array.isArray(event.data.$category) ? event.data.$category : [String(event.data.$category)];
      return { label: name.join(' > '), seconds: event.duration, color: categoryColor(name, settings.classes) };
    }), { onSelect: (item) => go({ category: item.label }) })),
    card('top-titles', 'Top window titles', barList(window.title_events.map((event) => ({
      label: event.data.title, seconds: event.duration, color: colorFor(event.data.app), detail: `${event.data.app}: ${event.data.title}`,
    })))),
  );
  if (host.browsers.length > 0) {
    grid.append(
      card('top-domains', 'Browser domains', barList(browser.domains.map((event) => ({
        label: event.data.$domain || '(no domain)', seconds: event.duration, color: colorFor(event.data.$domain),
      })))),
      card('top-urls', 'Browser pages', barList(browser.urls.map((event) => ({
        label: event.data.url, seconds: event.duration, color: colorFor(event.data.$domain),
      })))),
    );
  }
  view.append(grid);
}

// Timeline: every bucket as a lane over a chosen period, zoomable, with event details on hover.
import { api } from './api.js';
import { Timeline, timelineItems } from './charts.js';
import { colorFor, dataLines, el, formatDuration, toDateTimeInput } from './util.js';

const presets = [['1h', 1], ['6h', 6], ['12h', 12], ['24h', 24], ['3 days', 72], ['7 days', 168]];
/** The most events drawn per bucket; the newest are kept. */
const eventLimit = 50000;

/** The colour of an event: by the key that names what it is (app, status, URL, ...). */
function eventColor(event) {
  const data = event.data || {};
  if (data.status === 'not-afk') return 'var(--active)';
  if (data.status === 'afk') return 'var(--idle)';
  let domain = null;
  if (typeof data.url === 'string') {
    try {
      domain = new URL(data.url).hostname;
    } catch {
      domain = data.url;
    }
  }
  return colorFor(data.app ?? domain ?? data.title ?? data.label ?? JSON.stringify(data));
}

export async function render(view, { params, navigate }) {
  const now = new Date();
  const hours = Number(params.hours) || 12;
  let end = params.end ? new Date(params.end) : now;
  let start = params.start ? new Date(params.start) : new Date(end.getTime() - hours * 3600000);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start >= end) {
    end = now;
    start = new Date(now.getTime() - 12 * 3600000);
  }
  const from = el('input', { type: 'datetime-local', id: 'from', value: toDateTimeInput(start) });
  const to = el('input', { type: 'datetime-local', id: 'to', value: toDateTimeInput(end) });
  view.append(el('div', { class: 'toolbar' },
    el('div', { class: 'segmented' }, presets.map(([label, value]) =>
      el('button', { type: 'button', class: !params.start && hours === value ? 'active' : '', onclick: () => navigate('timeline', [], { hours: value }) }, label))),
    el('form', { class: 'inline', onsubmit: (event) => {
      event.preventDefault();
      navigate('timeline', [], { start: new Date(from.value).toISOString(), end: new Date(to.value).toISOString() });
    } }, el('label', {}, 'From ', from), el('label', {}, 'To ', to), el('button', { type: 'submit', class: 'secondary' }, 'Show'))));

  const buckets = await api.buckets();
  const lists = await Promise.all(buckets.map((bucket) => api.events(bucket.id, { start, end, limit: eventLimit })));
  const lanes = buckets.map((bucket, index) => ({
    label: bucket.id,
    events: timelineItems(lists[index], eventColor, (event) => dataLines(event.data)),
  }));
  const total = lists.reduce((sum, list) => sum + list.length, 0);
  const clipped = buckets.filter((_, index) => lists[index].length >= eventLimit).map((bucket) => bucket.id);
  view.append(el('p', { class: 'caption', id: 'timeline-summary' },
    `${buckets.length} buckets, ${total} events from ${start.toLocaleString()} to ${end.toLocaleString()} (${formatDuration((end - start) / 1000)}).`,
    clipped.length ? ` Only the newest ${eventLimit} events are drawn for ${clipped.join(', ')}.` : ''));
  if (buckets.length === 0) {
    view.append(el('p', { class: 'empty' }, 'There are no buckets yet.'));
    return;
  }
  const timeline = new Timeline(lanes, start.getTime(), end.getTime());
  view.append(el('section', { class: 'card', id: 'timeline' }, timeline.element));
}

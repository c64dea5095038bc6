// Charts drawn with plain HTML and SVG: horizontal bar lists, per-day columns, and a zoomable
// timeline of lanes.
import { el, formatDuration, formatTime, formatDate, tooltip } from './util.js';

/**
 * A ranked list of horizontal bars. `items` carry `label`, `seconds`, and optionally `color`
 * and `detail` (shown on hover); with `onSelect` a click on a row calls it with the item.
 */
export function barList(items, { empty = 'No activity in this period.', onSelect } = {}) {
  if (items.length === 0) return el('p', { class: 'empty' }, empty);
  const longest = Math.max(...items.map((item) => item.seconds), 1);
  return el('ol', { class: 'bars' }, items.map((item) => {
    const fill = el('span', { class: 'fill' });
    fill.style.width = `${Math.max(0.5, (item.seconds / longest) * 100)}%`;
    if (item.color) fill.style.background = item.color;
    return el('li', {
      dataset: { label: item.label, seconds: String(item.seconds) }, title: item.detail || item.label,
      class: onSelect ? 'selectable' : undefined, tabindex: onSelect ? '0' : undefined,
      onclick: onSelect && (() => onSelect(item)),
      onkeydown: onSelect && ((event) => event.key === 'Enter' && onSelect(item)),
    },
      el('span', { class: 'label' }, item.label),
      el('span', { class: 'bar' }, fill),
      el('span', { class: 'value' }, formatDuration(item.seconds)));
  }));
}

/** Columns of active time per day: `days` = [{date, seconds}], a click opens that day. */
export function dayColumns(days, onOpen) {
  const longest = Math.max(...days.map((day) => day.seconds), 1);
  return el('div', { class: 'columns' }, days.map((day) => {
    const fill = el('span', { class: 'fill' });
    fill.style.height = `${(day.seconds / longest) * 100}%`;
    return el('button', {
      class: 'column', type: 'button', title: `${formatDate(day.date)}: ${formatDuration(day.seconds)}`,
      dataset: { date: formatDate(day.date), seconds: String(day.seconds) }, onclick: () => onOpen(day.date),
    }, el('span', { class: 'amount' }, day.seconds > 0 ? formatDuration(day.seconds) : ''),
    el('span', { class: 'track' }, fill),
    el('span', { class: 'day' }, day.date.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric' })));
  }));
}

const tickSteps = [1, 5, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((minutes) => minutes * 60000);

/**
 * A timeline: one lane per row of events over [start, end] (milliseconds), zoomed with the wheel
 * or the buttons and panned by dragging. Lanes: [{label, events: [{start, end, color, lines}]}]
 * with events sorted by start; `lines` are shown on hover.
 */
export class Timeline {
  constructor(lanes, start, end) {
    this.lanes = lanes;
    this.bounds = { start, end };
    this.view = { start, end };
    this.svg = el('svg', { class: 'timeline-svg', role: 'img' });
    const zoom = (factor) => () => this.zoom(factor, 0.5);
    this.element = el('div', { class: 'timeline' },
      el('div', { class: 'timeline-tools' },
        el('button', { type: 'button', class: 'secondary', title: 'Zoom in', onclick: zoom(0.5) }, '+'),
        el('button', { type: 'button', class: 'secondary', title: 'Zoom out', onclick: zoom(2) }, '−'),
        el('button', { type: 'button', class: 'secondary', title: 'Show the whole period', onclick: () => this.reset() }, 'Reset'),
        el('span', { class: 'hint' }, 'Scroll to zoom, drag to move, hover for details')),
      this.svg);
    this.svg.addEventListener('wheel', (event) => {
      event.preventDefault();
      this.zoom(event.deltaY > 0 ? 1.25 : 0.8, this.fraction(event));
    }, { passive: false });
    this.svg.addEventListener('pointerdown', (event) => this.drag(event));
    this.svg.addEventListener('pointermove', (event) => this.hover(event));
    this.svg.addEventListener('pointerleave', () => tooltip(null));
    new ResizeObserver(() => this.render()).observe(this.element);
  }

  get labelWidth() { return this.element.clientWidth < 600 ? 90 : 170; }
  get width() { return Math.max(200, this.element.clientWidth); }

  /** Where a pointer is across the plotting area, from 0 to 1. */
  fraction(event) {
    const box = this.svg.getBoundingClientRect();
    return Math.min(1, Math.max(0, (event.clientX - box.left - this.labelWidth) / (box.width - this.labelWidth)));
  }

  zoom(factor, anchor) {
    const span = this.view.end - this.view.start;
    const newSpan = Math.min(this.bounds.end - this.bounds.start, Math.max(60000, span * factor));
    const center = this.view.start + span * anchor;
    this.setView(center - newSpan * anchor, center - newSpan * anchor + newSpan);
  }

  reset() { this.setView(this.bounds.start, this.bounds.end); }

  setView(start, end) {
    const span = end - start;
    const clampedStart = Math.min(Math.max(start, this.bounds.start), this.bounds.end - span);
    this.view = { start: clampedStart, end: clampedStart + span };
    this.render();
  }

  drag(event) {
    if (event.button !== 0) return;
    const origin = { x: event.clientX, view: { ...this.view } };
    const plot = this.svg.getBoundingClientRect().width - this.labelWidth;
    const move = (moveEvent) => {
      const shift = ((moveEvent.clientX - origin.x) / plot) * (origin.view.end - origin.view.start);
      this.setView(origin.view.start - shift, origin.view.end - shift);
    };
    const stop = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', stop);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', stop);
  }

  /** The event under the pointer, found by time in the lane the pointer is on. */
  hover(event) {
    const box = this.svg.getBoundingClientRect();
    const lane = this.lanes[Math.floor((event.clientY - box.top - 24) / 26)];
    const x = event.clientX - box.left - this.labelWidth;
    if (!lane || x < 0) return tooltip(null);
    const time = this.view.start + (x / (box.width - this.labelWidth)) * (this.view.end - this.view.start);
    const slack = ((this.view.end - this.view.start) / (box.width - this.labelWidth)) * 2;
    const found = lane.events.find((item) => item.start - slack <= time && item.end + slack >= time);
    if (!found) return tooltip(null);
    return tooltip(event, [
      lane.label,
      `${formatDate(new Date(found.start))} ${formatTime(new Date(found.start))} – ${formatTime(new Date(found.end))}`,
      `duration ${formatDuration((found.end - found.start) / 1000)}`,
      ...found.lines,
    ]);
  }

  /** Draws the axis and the lanes for the current view, joining events closer than a pixel. */
  render() {
    const width = this.width;
    const labelWidth = this.labelWidth;
    const plot = width - labelWidth;
    const { start, end } = this.view;
    const scale = plot / (end - start);
    const height = 24 + this.lanes.length * 26 + 4;
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    const parts = [];
    const step = tickSteps.find((candidate) => candidate * scale >= 90) || tickSteps[tickSteps.length - 1];
    const firstTick = new Date(start);
    firstTick.setHours(0, 0, 0, 0);
    for (let tick = firstTick.getTime(); tick <= end; tick += step) {
      if (tick < start) continue;
      const x = labelWidth + (tick - start) * scale;
      const date = new Date(tick);
      const label = step >= 1440 * 60000 || (date.getHours() === 0 && date.getMinutes() === 0)
        ? formatDate(date).slice(5) : formatTime(date).slice(0, 5);
      parts.push(el('line', { x1: x, x2: x, y1: 18, y2: height, class: 'tick' }));
      parts.push(el('text', { x: x + 3, y: 13, class: 'tick-label' }, label));
    }
    this.lanes.forEach((lane, index) => {
      const y = 24 + index * 26;
      const name = lane.label.length > (labelWidth < 100 ? 12 : 24)
        ? `${lane.label.slice(0, labelWidth < 100 ? 11 : 23)}…` : lane.label;
      parts.push(el('text', { x: 4, y: y + 16, class: 'lane-label' }, name, el('title', {}, lane.label)));
      parts.push(el('rect', { x: labelWidth, y, width: plot, height: 22, class: 'lane' }));
      let pending = null;
      const flush = () => {
        if (pending) {
          const rect = el('rect', { x: pending.x, y: y + 1, width: Math.max(1, pending.x2 - pending.x), height: 20 });
          rect.style.fill = pending.color;
          parts.push(rect);
        }
        pending = null;
      };
      for (const item of lane.events) {
        if (item.end < start || item.start > end) continue;
        const x = labelWidth + Math.max(0, (item.start - start) * scale);
        const x2 = labelWidth + Math.min(plot, (item.end - start) * scale);
        if (pending && pending.color === item.color && x - pending.x2 < 1) {
          pending.x2 = Math.max(pending.x2, x2);
        } else {
          flush();
          pending = { x, x2, color: item.color };
        }
      }
      flush();
    });
    this.svg.replaceChildren(...parts);
  }
}

/** Events from the API as timeline items: [{start, end, color, lines}] sorted by start. */
export function timelineItems(events, colorOf, describe) {
  return events.map((event) => {
    const start = Date.parse(event.timestamp);
    return { start, end: start + event.duration * 1000, color: colorOf(event), lines: describe(event) };
  }).sort((a, b) => a.start - b.start);
}

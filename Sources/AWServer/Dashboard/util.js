// Small helpers shared by the views: DOM building, time and duration formatting, periods,
// colours, dialogs and downloads.

/** Creates an element: `el('a', {href: '#/x', class: 'c'}, 'text', child)`. */
export function el(tag, attributes = {}, ...children) {
  const svg = ['svg', 'g', 'rect', 'line', 'text', 'title', 'path'].includes(tag);
  const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name === 'value' && !svg) node.value = value;
    else if (name === 'checked') node.checked = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** "2h 05m", "12m 30s", "45s" (or "0s") for a number of seconds. */
export function formatDuration(seconds) {
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(secs).padStart(2, '0')}s`;
  return `${secs}s`;
}

const pad = (value, width = 2) => String(value).padStart(width, '0');

/** A local date as YYYY-MM-DD. */
export function formatDate(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A local time as HH:MM:SS. */
export function formatTime(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** A local date and time, "YYYY-MM-DD HH:MM:SS". */
export function formatDateTime(date) {
  return `${formatDate(date)} ${formatTime(date)}`;
}

/** RFC 3339 with the local UTC offset, as the official web UI sends periods. */
export function isoLocal(date) {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${formatDate(date)}T${formatTime(date)}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The value of an `<input type="datetime-local">` for a date. */
export function toDateTimeInput(date) {
  return `${formatDate(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Parses YYYY-MM-DD as a local date (midnight), or null. */
export function parseDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || '');
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Minutes after midnight for "HH:MM" (the start-of-day setting); 0 when malformed. */
export function minutesOfDay(text) {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text || '');
  return match ? Math.min(23, Number(match[1])) * 60 + Math.min(59, Number(match[2])) : 0;
}

/** Adds days in local time (keeping the wall-clock time across DST changes). */
export function addDays(date, days) {
  const result = new Date(date);
  result.setDate(result.getDate() + days);
  return result;
}

/**
 * The period a view covers: a day, week or month containing `date` (a local calendar date),
 * where a day starts at `startOfDay` ("HH:MM") and a week on `startOfWeek` ("Monday"/"Sunday").
 * Returns {start, end, days: [Date...]} with `days` the start of each day in it.
 */
export function periodOf(range, date, startOfDay, startOfWeek) {
  const offset = minutesOfDay(startOfDay);
  let first = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  let count = 1;
  if (range === 'week') {
    const weekStart = startOfWeek === 'Sunday' ? 0 : 1;
    first = addDays(first, -((first.getDay() - weekStart + 7) % 7));
    count = 7;
  } else if (range === 'month') {
    first = new Date(date.getFullYear(), date.getMonth(), 1);
    count = new Date(date.getFullYear(), date.getMonth() + 1, 0).getDate();
  }
  const days = [];
  for (let index = 0; index <= count; index += 1) {
    const day = addDays(first, index);
    day.setMinutes(offset);
    days.push(day);
  }
  return { start: days[0], end: days[count], days: days.slice(0, count) };
}

/** The calendar date a moment belongs to when days start at `startOfDay`. */
export function logicalDate(moment, startOfDay) {
  return new Date(moment.getTime() - minutesOfDay(startOfDay) * 60000);
}

/** A stable colour for a name, from a pleasant hue range. */
export function colorFor(name) {
  let hash = 0;
  for (const char of String(name)) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360}, 55%, 55%)`;
}

/** Shows a short message at the bottom of the page. */
export function toast(message, kind = 'info') {
  for (const old of document.querySelectorAll('.toast')) old.remove();
  const box = el('div', { class: `toast ${kind}`, role: 'status' }, message);
  document.body.append(box);
  setTimeout(() => box.remove(), kind === 'error' ? 8000 : 4000);
}

/**
 * A modal dialog with a message, optional fields and buttons; resolves with the values of the
 * fields (an object) when confirmed, or null when cancelled.
 */
export function dialog({ title, message, fields = [], confirm = 'OK', danger = false }) {
  return new Promise((resolve) => {
    const inputs = fields.map((field) => el('input', {
      name: field.name, type: field.type || 'text', placeholder: field.placeholder || '', autocomplete: 'off',
    }));
    const box = el('dialog', { class: 'modal' },
      el('form', { method: 'dialog' },
        el('h2', {}, title),
        message ? el('p', {}, message) : null,
        inputs.map((input, index) => el('label', {}, fields[index].label, input)),
        el('div', { class: 'buttons' },
          el('button', { value: 'cancel', type: 'submit', class: 'secondary' }, 'Cancel'),
          el('button', { value: 'ok', type: 'submit', class: danger ? 'danger' : 'primary' }, confirm))));
    box.addEventListener('close', () => {
      const values = Object.fromEntries(inputs.map((input) => [input.name, input.value]));
      box.remove();
      resolve(box.returnValue === 'ok' ? values : null);
    });
    document.body.append(box);
    box.showModal();
    (inputs[0] || box.querySelector('button.primary, button.danger')).focus();
  });
}

/** Saves a blob as a file through the browser's download. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** Shows a tooltip with lines of text near the pointer; `null` hides it. */
export function tooltip(event, lines) {
  const box = document.getElementById('tooltip');
  if (!lines) {
    box.hidden = true;
    return;
  }
  box.replaceChildren(...lines.map((line) => el('div', {}, line)));
  box.hidden = false;
  const x = Math.min(event.clientX + 14, window.innerWidth - box.offsetWidth - 8);
  const y = event.clientY + 16 + box.offsetHeight > window.innerHeight
    ? event.clientY - box.offsetHeight - 10 : event.clientY + 16;
  box.style.left = `${Math.max(4, x)}px`;
  box.style.top = `${Math.max(4, y)}px`;
}

/** The text of an event's data for tooltips and tables, one "key: value" per entry. */
export function dataLines(data) {
  return Object.entries(data || {}).map(([key, value]) =>
    `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

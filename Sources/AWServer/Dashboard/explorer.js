// Query explorer: edit a query2 program and its periods, run it, see the results as a table or
// JSON; an error marks its line and column in the editor.
import { ApiError, api, loadSettings } from './api.js';
import { categoryRules, exampleQuery, literal } from './queries.js';
import { addDays, dataLines, el, formatDateTime, formatDuration, logicalDate, periodOf, toDateTimeInput } from './util.js';

const TEXT_STORAGE = 'aw-dashboard-query';
const CATEGORIES = '__CATEGORIES__';

/**
 * The column in the text as typed for a column of the text sent, where each __CATEGORIES__ on
 * the line was replaced by `replacement` (an error inside the rules points at the placeholder).
 */
export function typedColumn(line, replacement, column) {
  let shift = 0;
  for (let index = line.indexOf(CATEGORIES); index >= 0; index = line.indexOf(CATEGORIES, index + CATEGORIES.length)) {
    const sentStart = index + shift;
    if (sentStart >= column - 1) break;
    if (column - 1 < sentStart + replacement.length) return index + 1;
    shift += replacement.length - CATEGORIES.length;
  }
  return column - shift;
}

/** A textarea over a highlighting layer, with line numbers; `mark(line, column)` flags an error. */
class Editor {
  constructor(text) {
    this.gutter = el('div', { class: 'gutter', 'aria-hidden': 'true' });
    this.layer = el('pre', { class: 'highlight', 'aria-hidden': 'true' });
    this.input = el('textarea', { id: 'query-text', spellcheck: 'false', autocapitalize: 'off', 'aria-label': 'Query' });
    this.input.value = text;
    this.error = null;
    this.input.addEventListener('input', () => {
      this.error = null;
      this.update();
    });
    this.input.addEventListener('scroll', () => {
      this.layer.scrollTop = this.input.scrollTop;
      this.layer.scrollLeft = this.input.scrollLeft;
      this.gutter.scrollTop = this.input.scrollTop;
    });
    this.element = el('div', { class: 'editor' }, this.gutter, el('div', { class: 'code' }, this.layer, this.input));
    this.update();
  }

  get text() { return this.input.value; }

  mark(line, column) {
    this.error = { line, column };
    this.update();
    // Put the cursor on the problem.
    const lines = this.text.split('\n');
    const offset = lines.slice(0, line - 1).reduce((sum, item) => sum + item.length + 1, 0) + Math.max(0, column - 1);
    this.input.focus();
    this.input.setSelectionRange(offset, Math.min(this.text.length, offset + 1));
  }

  update() {
    const lines = this.text.split('\n');
    this.gutter.replaceChildren(...lines.map((_, index) =>
      el('div', { class: this.error?.line === index + 1 ? 'flagged' : '' }, String(index + 1))));
    this.layer.replaceChildren(...lines.map((line, index) => {
      if (this.error?.line !== index + 1) return el('div', {}, line || ' ');
      const at = Math.min(Math.max(0, this.error.column - 1), line.length);
      return el('div', { class: 'error-line' }, line.slice(0, at),
        el('mark', { class: 'error-mark' }, line.slice(at, at + 1) || ' '), line.slice(at + 1));
    }));
  }
}

/** One period's result: events as a table, anything else as JSON. */
function resultView(result, asJSON) {
  const isEvents = Array.isArray(result) && result.length > 0 &&
    result.every((item) => item && typeof item === 'object' && 'timestamp' in item && 'duration' in item);
  if (asJSON || !isEvents) return el('pre', { class: 'json' }, JSON.stringify(result, null, 2));
  return el('div', { class: 'table-scroll' }, el('table', { class: 'result-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Start'), el('th', {}, 'Duration'), el('th', {}, 'Data'))),
    el('tbody', {}, result.map((event) => el('tr', {},
      el('td', {}, formatDateTime(new Date(event.timestamp))),
      el('td', { class: 'number', dataset: { seconds: String(event.duration) } }, formatDuration(event.duration)),
      el('td', { class: 'data' }, dataLines(event.data).join('\n')))))));
}

export async function render(view) {
  const settings = await loadSettings();
  const today = periodOf('day', logicalDate(new Date(), settings.startOfDay), settings.startOfDay, settings.startOfWeek);
  const editor = new Editor(localStorage.getItem(TEXT_STORAGE) || exampleQuery);
  const periods = el('div', { class: 'periods' });
  const addPeriod = (start, end) => {
    const row = el('div', { class: 'period' },
      el('input', { type: 'datetime-local', class: 'period-start', value: toDateTimeInput(start), 'aria-label': 'Period start' }),
      '–',
      el('input', { type: 'datetime-local', class: 'period-end', value: toDateTimeInput(end), 'aria-label': 'Period end' }),
      el('button', { type: 'button', class: 'secondary', title: 'Remove this period', onclick: () => periods.children.length > 1 && row.remove() }, '×'));
    periods.append(row);
  };
  addPeriod(today.start, today.end);
  const asJSON = el('input', { type: 'checkbox', id: 'as-json' });
  const output = el('div', { id: 'query-output' });
  let results = null;
  const show = () => {
    if (!results) return;
    output.replaceChildren(...results.map(({ label, value }) =>
      el('section', { class: 'card result' }, el('h2', {}, label), resultView(value, asJSON.checked))));
  };
  asJSON.addEventListener('change', show);

  const run = async () => {
    localStorage.setItem(TEXT_STORAGE, editor.text);
    const ranges = [...periods.children].map((row) => ({
      start: new Date(row.querySelector('.period-start').value),
      end: new Date(row.querySelector('.period-end').value),
    }));
    if (ranges.some(({ start, end }) => Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start >= end)) {
      output.replaceChildren(el('div', { class: 'error', id: 'query-error' }, 'Every period needs a start before its end.'));
      return;
    }
    const rules = literal(categoryRules(settings.classes));
    const text = editor.text.replaceAll(CATEGORIES, rules);
    output.replaceChildren(el('p', { class: 'caption' }, 'Running…'));
    const begun = performance.now();
    try {
      const values = await api.query(ranges, text);
      results = values.map((value, index) => ({
        label: `${formatDateTime(ranges[index].start)} – ${formatDateTime(ranges[index].end)}`, value,
      }));
      show();
      output.prepend(el('p', { class: 'caption', id: 'query-status' }, `${values.length} result(s) in ${Math.round(performance.now() - begun)} ms`));
    } catch (error) {
      results = null;
      const where = error instanceof ApiError && error.body.line ? ` (line ${error.body.line}, column ${error.body.column})` : '';
      output.replaceChildren(el('pre', { class: 'error', id: 'query-error' }, `${error.message}${where}`));
      if (where) {
        const line = editor.text.split('\n')[error.body.line - 1] ?? '';
        editor.mark(error.body.line, typedColumn(line, rules, error.body.column));
      }
    }
  };
  editor.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  view.append(
    el('section', { class: 'card' },
      el('h2', {}, 'Query'),
      editor.element,
      el('div', { class: 'toolbar' },
        el('button', { type: 'button', id: 'run-query', class: 'primary', onclick: run }, 'Run (Ctrl+Enter)'),
        el('button', { type: 'button', class: 'secondary', onclick: () => addPeriod(today.start, today.end) }, 'Add period'),
        el('button', { type: 'button', class: 'secondary', onclick: () => addPeriod(addDays(today.start, -6), today.end) }, 'Add last 7 days'),
        el('button', { type: 'button', class: 'secondary', onclick: () => {
          editor.input.value = exampleQuery;
          editor.error = null;
          editor.update();
        } }, 'Example'),
        el('label', {}, asJSON, ' Show JSON')),
      el('p', { class: 'caption' }, 'Periods (one result each); __CATEGORIES__ stands for your category rules:'),
      periods),
    output);
}

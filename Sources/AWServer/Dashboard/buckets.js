// Buckets: every bucket with its event count and last activity; browse a bucket's events,
// export one bucket or everything, import an export file, delete a bucket.
import { api } from './api.js';
import { dataLines, dialog, download, el, formatDateTime, formatDuration, toast } from './util.js';

const pageSize = 100;

const when = (text) => (text ? formatDateTime(new Date(text)) : '–');

async function exportTo(id) {
  const blob = await api.exportBlob(id);
  download(blob, id ? `aw-bucket-export_${id}.json` : 'aw-buckets-export.json');
}

async function remove(id, after) {
  const answer = await dialog({
    title: 'Delete bucket?',
    message: `"${id}" and all its events will be deleted. This cannot be undone; export it first to keep a copy.`,
    confirm: 'Delete', danger: true,
  });
  if (!answer) return;
  await api.deleteBucket(id);
  toast(`Deleted ${id}`);
  after();
}

function importForm(done) {
  const input = el('input', { type: 'file', id: 'import-file', accept: '.json,application/json' });
  return el('form', { class: 'inline', id: 'import-form', onsubmit: async (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) return toast('Choose an export file first', 'error');
    try {
      await api.importFile(file);
      toast(`Imported ${file.name}`);
      done();
    } catch (error) {
      toast(`Import failed: ${error.message}`, 'error');
    }
    return null;
  } }, el('label', {}, 'Import an export file ', input), el('button', { type: 'submit', class: 'secondary' }, 'Import'));
}

/** The list of buckets. */
async function renderList(view, navigate) {
  const buckets = await api.buckets();
  const counts = await Promise.all(buckets.map((bucket) => api.eventCount(bucket.id)));
  const reload = () => navigate('buckets', [], { t: Date.now() });
  view.append(el('div', { class: 'toolbar' },
    el('button', { type: 'button', id: 'export-all', onclick: () => exportTo(null) }, 'Export all buckets'),
    importForm(reload)));
  if (buckets.length === 0) {
    view.append(el('p', { class: 'empty' }, 'There are no buckets yet.'));
    return;
  }
  view.append(el('div', { class: 'table-scroll' }, el('table', { id: 'bucket-table' },
    el('thead', {}, el('tr', {}, ['Bucket', 'Type', 'Host', 'Client', 'Events', 'Last activity', ''].map((name) => el('th', {}, name)))),
    el('tbody', {}, buckets.map((bucket, index) => el('tr', { dataset: { bucket: bucket.id } },
      el('td', {}, el('a', { href: `#/buckets/${encodeURIComponent(bucket.id)}` }, bucket.id)),
      el('td', {}, bucket.type),
      el('td', {}, bucket.hostname),
      el('td', {}, bucket.client),
      el('td', { class: 'number', dataset: { count: String(counts[index]) } }, counts[index].toLocaleString()),
      el('td', {}, when(bucket.last_updated)),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: 'secondary', onclick: () => exportTo(bucket.id) }, 'Export'),
        el('button', { type: 'button', class: 'danger delete', onclick: () => remove(bucket.id, reload) }, 'Delete'))))))));
}

/** One bucket: its details and its events, newest first, a page at a time. */
async function renderBucket(view, id, navigate) {
  const buckets = await api.buckets();
  const bucket = buckets.find((entry) => entry.id === id);
  if (!bucket) {
    view.append(el('p', { class: 'error' }, `There is no bucket "${id}".`), el('a', { href: '#/buckets' }, 'All buckets'));
    return;
  }
  const count = await api.eventCount(id);
  view.append(
    el('div', { class: 'toolbar' }, el('a', { href: '#/buckets' }, '‹ All buckets'),
      el('button', { type: 'button', class: 'secondary', onclick: () => exportTo(id) }, 'Export'),
      el('button', { type: 'button', class: 'danger', onclick: () => remove(id, () => navigate('buckets', [], {})) }, 'Delete')),
    el('section', { class: 'card' }, el('h2', {}, id), el('dl', { class: 'details' },
      ...[['Type', bucket.type], ['Host', bucket.hostname], ['Client', bucket.client], ['Created', when(bucket.created)],
        ['Events', count.toLocaleString()], ['First event', when(bucket.metadata?.start)], ['Last activity', when(bucket.last_updated)],
      ].flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value ?? '–')]))));
  const body = el('tbody');
  const more = el('button', { type: 'button', class: 'secondary', id: 'more' }, 'Older events');
  let oldest = null;
  const load = async () => {
    more.disabled = true;
    const events = await api.events(id, { end: oldest, limit: pageSize });
    for (const event of events) {
      body.append(el('tr', {},
        el('td', {}, formatDateTime(new Date(event.timestamp))),
        el('td', { class: 'number' }, formatDuration(event.duration)),
        el('td', { class: 'data' }, dataLines(event.data).join('\n'))));
    }
    if (events.length > 0) oldest = new Date(Date.parse(events[events.length - 1].timestamp));
    more.hidden = events.length < pageSize;
    more.disabled = false;
  };
  more.addEventListener('click', load);
  view.append(el('div', { class: 'table-scroll' }, el('table', { id: 'event-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Start'), el('th', {}, 'Duration'), el('th', {}, 'Data'))), body)), more);
  await load();
}

export async function render(view, { parts, navigate }) {
  if (parts.length > 0) await renderBucket(view, parts[0], navigate);
  else await renderList(view, navigate);
}

// Settings: category rules, start of day and week, theme. Stored through /api/0/settings under
// the official web UI's keys and shapes (classes, startOfDay, startOfWeek, theme).
import { api, defaultClasses, loadSettings, saveSetting } from './api.js';
import { categoryRules, literal } from './queries.js';
import { applyTheme } from './theme.js';
import { dialog, el, toast } from './util.js';

/** The rule rows of the category editor, each keeping the stored entry's other fields. */
function ruleRow(entry) {
  const name = el('input', { class: 'rule-name', value: (entry.name || []).join(' > '), placeholder: 'Work > Programming', 'aria-label': 'Category' });
  const regex = el('input', { class: 'rule-regex', value: entry.rule?.regex || '', placeholder: 'regular expression (empty: matches nothing)', 'aria-label': 'Pattern' });
  const ignoreCase = el('input', { type: 'checkbox', class: 'rule-ignore-case', checked: Boolean(entry.rule?.ignore_case) });
  const color = el('input', { type: 'color', class: 'rule-color', value: entry.data?.color || '#888888', 'aria-label': 'Colour' });
  const hasColor = el('input', { type: 'checkbox', class: 'rule-has-color', checked: Boolean(entry.data?.color), title: 'Use this colour' });
  const row = el('tr', { class: 'rule' },
    el('td', {}, name), el('td', {}, regex),
    el('td', { class: 'center' }, el('label', {}, ignoreCase, ' Aa')),
    el('td', { class: 'center' }, hasColor, color),
    el('td', {}, el('button', { type: 'button', class: 'secondary remove-rule', title: 'Remove this rule', onclick: () => row.remove() }, '×')));
  row.read = () => {
    const path = name.value.split('>').map((part) => part.trim()).filter(Boolean);
    const pattern = regex.value.trim();
    const rule = { ...entry.rule, type: pattern ? 'regex' : 'none', regex: pattern || undefined, ignore_case: ignoreCase.checked || undefined };
    const data = { ...entry.data, color: hasColor.checked ? color.value : undefined };
    return { ...entry, name: path, rule: JSON.parse(JSON.stringify(rule)), data: JSON.parse(JSON.stringify(data)) };
  };
  color.addEventListener('input', () => { hasColor.checked = true; });
  return row;
}

export async function render(view) {
  const settings = await loadSettings();
  const rows = el('tbody', { id: 'rules' });
  const fill = (classes) => rows.replaceChildren(...classes.map(ruleRow));
  fill(settings.classes);

  const saveRules = async () => {
    const classes = [...rows.children].map((row) => row.read());
    const unnamed = classes.findIndex((entry) => entry.name.length === 0);
    if (unnamed >= 0) return toast(`Rule ${unnamed + 1} has no category name`, 'error');
    // The server checks the patterns with the regular expression engine that will run them.
    for (const entry of classes.filter((item) => item.rule.regex)) {
      try {
        await api.query([{ start: new Date(0), end: new Date(1000) }], `RETURN = categorize([], ${literal(categoryRules([entry]))});`);
      } catch (error) {
        return toast(`The pattern of "${entry.name.join(' > ')}" is not valid: ${error.message}`, 'error');
      }
    }
    let next = Math.max(-1, ...classes.map((entry) => (Number.isInteger(entry.id) ? entry.id : -1))) + 1;
    for (const entry of classes) if (!Number.isInteger(entry.id)) entry.id = next++;
    await saveSetting('classes', classes);
    fill(classes);
    toast('Categories saved');
    return null;
  };

  const startOfDay = el('input', { type: 'time', id: 'start-of-day', value: settings.startOfDay });
  const startOfWeek = el('select', { id: 'start-of-week' }, ['Monday', 'Sunday'].map((day) => el('option', { value: day, selected: settings.startOfWeek === day }, day)));
  const theme = el('select', { id: 'theme' }, [['light', 'Light'], ['dark', 'Dark']].map(([value, label]) => el('option', { value, selected: settings.theme === value }, label)));
  startOfDay.addEventListener('change', async () => {
    if (!/^\d{2}:\d{2}$/.test(startOfDay.value)) return;
    await saveSetting('startOfDay', startOfDay.value);
    toast(`Days now start at ${startOfDay.value}`);
  });
  startOfWeek.addEventListener('change', async () => {
    await saveSetting('startOfWeek', startOfWeek.value);
    toast(`Weeks now start on ${startOfWeek.value}`);
  });
  theme.addEventListener('change', async () => {
    applyTheme(theme.value);
    await saveSetting('theme', theme.value);
  });

  view.append(
    el('section', { class: 'card', id: 'general-settings' }, el('h2', {}, 'General'),
      el('div', { class: 'form-grid' },
        el('label', { for: 'start-of-day' }, 'Days start at'), startOfDay,
        el('label', { for: 'start-of-week' }, 'Weeks start on'), startOfWeek,
        el('label', { for: 'theme' }, 'Theme'), theme)),
    el('section', { class: 'card', id: 'categories' }, el('h2', {}, 'Categories'),
      el('p', { class: 'caption' }, 'A window whose app or title matches a pattern gets that category; the deepest matching category wins. ' +
        'Use " > " for subcategories. The official ActivityWatch web UI reads the same rules.'),
      el('div', { class: 'table-scroll' }, el('table', { class: 'rules' },
        el('thead', {}, el('tr', {}, ['Category', 'Pattern', 'Ignore case', 'Colour', ''].map((name) => el('th', {}, name)))), rows)),
      el('div', { class: 'toolbar' },
        el('button', { type: 'button', class: 'secondary', id: 'add-rule', onclick: () => {
          const row = ruleRow({ name: [], rule: { type: 'regex', regex: '' } });
          rows.append(row);
          row.querySelector('.rule-name').focus();
        } }, 'Add rule'),
        el('button', { type: 'button', class: 'secondary', onclick: async () => {
          if (await dialog({ title: 'Restore the default categories?', message: 'Your rules are replaced when you save.', confirm: 'Restore' })) fill(defaultClasses);
        } }, 'Restore defaults'),
        el('button', { type: 'button', class: 'primary', id: 'save-rules', onclick: saveRules }, 'Save categories'))));
}

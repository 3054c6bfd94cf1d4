// Editable filter rows (audience, event property filters): attribute, operator, value.
import { FILTER_OPERATORS, LIST_OPERATORS, NO_VALUE_OPERATORS, emptyFilterRow } from '../campaign-form.js';
import { h, mount, nextId } from '../dom.js';

const valueHint = (operator) =>
  LIST_OPERATORS.has(operator) ? 'values, comma-separated or a JSON array' : NO_VALUE_OPERATORS.has(operator) ? 'no value' : 'value (100, true, text…)';

/** `rows` is edited in place; `path` is the API path of the list, e.g. `audience`. */
export function filterRows({ rows, path, noun, onChange }) {
  const list = h('div', { class: 'rows' });
  const render = (focusLast = false) => {
    mount(
      list,
      rows.length === 0 ? h('p', { class: 'hint' }, `No ${noun}s.`) : null,
      rows.map((row, i) => filterRow(row, i)),
      h('button', { type: 'button', class: 'secondary', onclick: () => { rows.push(emptyFilterRow()); render(true); onChange(); } }, `Add ${noun}`),
    );
    if (focusLast) list.querySelectorAll('.row')[rows.length - 1]?.querySelector('input')?.focus();
  };
  const filterRow = (row, i) => {
    const base = `${path}[${i}]`;
    const ids = { attribute: nextId(), operator: nextId(), value: nextId() };
    const value = h('input', { id: ids.value, type: 'text', value: row.valueText, dataset: { path: `${base}.value` }, oninput: (e) => { row.valueText = e.target.value; onChange(); } });
    const syncValue = () => {
      value.disabled = NO_VALUE_OPERATORS.has(row.operator);
      value.placeholder = valueHint(row.operator);
      value.dataset.path = LIST_OPERATORS.has(row.operator) ? `${base}.values` : `${base}.value`;
    };
    syncValue();
    const operator = h(
      'select',
      { id: ids.operator, dataset: { path: `${base}.operator` }, onchange: (e) => { row.operator = e.target.value; syncValue(); onChange(); } },
      FILTER_OPERATORS.map((op) => h('option', { value: op, selected: op === row.operator }, op.replaceAll('_', ' '))),
    );
    return h(
      'div',
      { class: 'row', role: 'group', 'aria-label': `${noun} ${i + 1}` },
      h('div', { class: 'field' }, h('label', { for: ids.attribute }, 'Attribute'), h('input', { id: ids.attribute, type: 'text', value: row.attribute, dataset: { path: `${base}.attribute` }, oninput: (e) => { row.attribute = e.target.value; onChange(); } })),
      h('div', { class: 'field' }, h('label', { for: ids.operator }, 'Operator'), operator),
      h('div', { class: 'field grow' }, h('label', { for: ids.value }, 'Value'), value),
      h('button', { type: 'button', class: 'icon', 'aria-label': `Remove ${noun} ${i + 1}`, onclick: () => { rows.splice(i, 1); render(); onChange(); } }, '×'),
    );
  };
  render();
  return list;
}

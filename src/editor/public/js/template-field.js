// A Liquid template input: a transparent textarea over a highlighted <pre>. The <pre> sets the
// height (the field grows with its content), so both wrap identically and never scroll apart.
// A single-line field does not wrap: the textarea scrolls sideways and the <pre> follows it.
import { h, nextId } from './dom.js';
import { highlightHtml } from './highlight.js';
import { errorRange, positionLabel } from './positions.js';

/**
 * @param {{ label: string, value: string, rows?: number, path?: string, hint?: string,
 *           singleLine?: boolean, onInput: (value: string) => void }} options
 */
export function templateField({ label, value, rows = 1, path, hint, singleLine = false, onInput }) {
  const id = nextId('tpl');
  const pre = h('pre', { class: 'tpl-highlight', 'aria-hidden': 'true' });
  const textarea = h('textarea', {
    id,
    class: 'tpl-input',
    spellcheck: 'false',
    autocomplete: 'off',
    autocapitalize: 'off',
    dataset: path ? { path } : {},
  });
  textarea.value = value;
  const errorList = h('ul', { class: 'field-errors', id: `${id}-errors` });
  const describedBy = [`${id}-errors`];
  const hintEl = hint ? h('small', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) describedBy.unshift(hintEl.id);
  textarea.setAttribute('aria-describedby', describedBy.join(' '));
  const box = h('div', { class: singleLine ? 'tpl single' : 'tpl' }, pre, textarea);
  box.style.setProperty('--rows', String(rows)); // CSSOM, which the content policy allows (style attributes it does not)

  let marks = [];
  const paint = () => {
    pre.innerHTML = highlightHtml(textarea.value, marks);
  };
  textarea.addEventListener('input', () => {
    marks = []; // positions refer to the text that was rendered; they are refreshed by the next preview
    paint();
    onInput(textarea.value);
  });
  if (singleLine) {
    textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') event.preventDefault();
    });
    const follow = () => {
      pre.scrollLeft = textarea.scrollLeft;
    };
    textarea.addEventListener('scroll', follow);
    // Caret moves scroll the textarea without always firing `scroll` before the next paint.
    for (const type of ['input', 'keyup', 'click', 'select']) textarea.addEventListener(type, () => requestAnimationFrame(follow));
  }
  paint();

  return {
    element: h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, box, errorList),
    textarea,
    /** Show errors `{ message, line, column }` under the field and underline their positions. */
    setErrors(errors) {
      marks = errors.map((e) => errorRange(textarea.value, e.line, e.column)).filter(Boolean);
      paint();
      errorList.replaceChildren(
        ...errors.map((e) => h('li', {}, positionLabel(e.line, e.column) ? `${positionLabel(e.line, e.column)}: ` : '', e.message)),
      );
      if (errors.length > 0) textarea.setAttribute('aria-invalid', 'true');
      else textarea.removeAttribute('aria-invalid');
    },
  };
}

// Helpers of the operator page's views: tables, status badges, periods, idempotency keys.
import { formatMoney } from './money.js';
import { el, hold } from './ui.js';

/**
 * A table that scrolls inside its own box on a phone. columns: [{ header, numeric }]; rows: arrays of cells (text or
 * nodes), the first cell of each row is its header (th scope=row). caption: the visible name of the table.
 */
export function dataTable(caption, columns, rows, { empty = 'Nothing to show.' } = {}) {
  if (!rows.length) return el('p', { class: 'muted' }, empty);
  const head = el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.numeric ? 'number' : null }, c.header)));
  const body = rows.map((cells) => el('tr', {}, cells.map((cell, index) => {
    const numeric = columns[index]?.numeric ? 'number' : null;
    return index === 0 ? el('th', { scope: 'row', class: numeric }, cell) : el('td', { class: numeric }, cell);
  })));
  // A box that may scroll sideways must be reachable by keyboard (tabindex) and named (a region with the caption).
  return el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    el('table', {}, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, body)));
}

const goodStatuses = new Set(['active', 'trialing', 'trial', 'paid', 'applied', 'recorded', 'finalized']);
const badStatuses = new Set(['past_due', 'unpaid', 'canceled', 'incomplete_expired', 'failed', 'uncollectible', 'void', 'deleted']);

/** A subscription, invoice or event status as a badge: green when all is well, red when it needs attention. */
export function statusBadge(status) {
  const text = String(status ?? 'none');
  const kind = goodStatuses.has(text) ? 'ok' : badStatuses.has(text) ? 'danger' : 'warn';
  return el('span', { class: `badge ${kind}` }, text.replaceAll('_', ' '));
}

/** Amounts in several currencies, or nothing in the first one's (zeroCurrency: the shop's, when there is none). */
export function moneyList(amounts, zeroCurrency = 'usd') {
  const list = (amounts ?? []).filter((m) => m && m.amount !== 0);
  return list.length ? list.map((m) => formatMoney(m.amount, m.currency)).join(', ') : formatMoney(0, amounts?.[0]?.currency ?? zeroCurrency);
}

/** Signed money: "+$10.00" / "−$3.00". */
export function signedMoney(minor, currency) {
  const value = Number(minor);
  return (value > 0 ? '+' : value < 0 ? '−' : '') + formatMoney(Math.abs(value), currency);
}

/** A fresh idempotency key (random, 32 hex digits); crypto.getRandomValues works on plain http too. */
export function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'op-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A section with an h2; the heading takes focus when a view opens (tabindex -1), so keyboard users land on it. */
export function section(id, title, ...children) {
  return el('section', { class: 'card', 'aria-labelledby': id }, el('h2', { id, tabindex: '-1' }, title), ...children);
}

/** A labelled form field: el('div', label, control). */
export function field(id, labelText, control, hint = null) {
  control.id = id;
  const parts = [el('label', { for: id }, labelText), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    parts.push(el('span', { id: hintId, class: 'muted hint' }, hint));
  }
  return el('div', {}, ...parts);
}

/** A select of [value, text] options. */
export function select(name, options, value = '') {
  return el('select', { name }, options.map(([v, text]) => el('option', { value: v, selected: v === value }, text)));
}

/** A description list of [term, value] pairs (values may be nodes); pairs without a value are left out. */
export function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

/**
 * A filtered list the API pages with a forward-only cursor (accounts, invoices). state ({ filters, cursors, page }) is
 * the caller's and outlives the view, so coming back shows the same filters and page; the cursors given so far are kept,
 * so the list can also go back. Only the newest of overlapping loads draws (a slow first load never overwrites a later
 * filter or page). read(filters, cursor) asks the API; draw(answer, pageNumber) returns { table, count }.
 * The count of the page shown is said in the list's own status line, under its filters, not in the page's #status above
 * them: a count that came as the operator pressed "Filter" moved the form down under the pointer, and the press was lost.
 */
export function cursorList(ctx, { state, read, draw, noun: [one, many], label }) {
  const said = el('p', { role: 'status', class: 'list-status' });
  const shown = el('div', {});
  const results = el('div', {}, said, shown);
  let newest = 0;

  /**
   * failed: what a page move does when its page could not be read (a filter's list is emptied instead); focus: the move
   * was made from the pager with the focus on it, which is drawn anew, so the focus goes to the page opened.
   */
  async function load({ failed = null, focus = false } = {}) {
    const ticket = ++newest;
    shown.setAttribute('aria-busy', 'true');
    let answer;
    try {
      answer = await read(state.filters, state.cursors[state.page]);
    } catch (error) {
      if (ctx.current() && ticket === newest) {
        ctx.fail(error);
        if (failed) failed();
        else {
          shown.replaceChildren();
          said.textContent = '';
        }
        shown.removeAttribute('aria-busy');
      }
      return;
    }
    if (!ctx.current() || ticket !== newest) return; // another view, or a newer filter or page, is being shown
    shown.removeAttribute('aria-busy');
    state.cursors[state.page + 1] = answer.nextCursor ?? undefined;
    const pageNumber = state.page + 1;
    const { table, count } = draw(answer, pageNumber);
    const nav = pager(answer.nextCursor);
    shown.replaceChildren(table, nav);
    // The page's table is a named region that takes the focus (its name says which page); an empty page has none.
    if (focus) (table.matches('[tabindex]') ? table : nav.querySelector('button:not(:disabled)'))?.focus();
    ctx.clear(); // an earlier refusal no longer holds
    said.textContent = `${count === 1 ? `1 ${one}` : `${count} ${many}`} on page ${pageNumber}${answer.nextCursor ? '; there are more' : ''}.`;
  }

  function pager(nextCursor) {
    const go = (page) => {
      // One move per drawn page: a second click before the page is drawn would count from a page not shown yet.
      const pressed = nav.contains(document.activeElement) ? document.activeElement : null; // lost when disabled
      for (const button of [first, previous, next]) button.disabled = true;
      const from = state.page;
      state.page = page;
      // A page that could not be read (a dropped connection, a 503) leaves the page shown and its pager as they were,
      // so the move can be made again.
      load({
        focus: Boolean(pressed),
        failed: () => {
          state.page = from;
          first.disabled = from === 0;
          previous.disabled = from === 0;
          next.disabled = !nextCursor;
          if (pressed && !pressed.disabled && document.activeElement === document.body) pressed.focus();
        },
      });
    };
    const first = el('button', { type: 'button', disabled: state.page === 0, onclick: () => go(0) }, 'First page');
    const previous = el('button', { type: 'button', disabled: state.page === 0, onclick: () => go(Math.max(0, state.page - 1)) }, 'Previous page');
    const next = el('button', { type: 'button', disabled: !nextCursor, onclick: () => go(state.page + 1) }, 'Next page');
    const nav = el('nav', { class: 'pager', 'aria-label': label }, first, previous, next);
    return nav;
  }

  /** New filters from a submitted form: back to the first page; the submit button is disabled meanwhile. */
  async function filter(filters, submit) {
    state.filters = filters;
    state.cursors = [null];
    state.page = 0;
    // The pager shown is the replaced list's: a move from it now would count from the new filter's first page and draw
    // that as page 2. The new list brings its own pager (a failed filter empties the list).
    for (const button of shown.querySelectorAll('.pager button')) button.disabled = true;
    const release = hold(submit);
    try {
      await load();
    } finally {
      release();
    }
  }

  return { results, load, filter };
}

// Every account's usage invoices, newest period first: filter by the month a period started in and by status; pages.
import { el, render } from './ui.js';
import { invoiceTable } from './operator-account.js';
import { field, newestOnly, section, select } from './operator-common.js';

const statuses = [['', 'Any status'], ['draft', 'draft'], ['open', 'open'], ['paid', 'paid'], ['void', 'void'], ['uncollectible', 'uncollectible']];
const state = { filters: { period: '', status: '' }, cursors: [null], page: 0 };

export async function showInvoices(ctx) {
  const results = el('div', {});
  render('content', section('all-invoices-title', 'Invoices', filterForm(ctx, results),
    el('p', { class: 'muted', id: 'invoice-period-hint' }, 'Period month: the month a billing period started in, as YYYY-MM; empty for all.'), results));
  await load(ctx, results);
}

function filterForm(ctx, results) {
  const period = el('input', { name: 'period', value: state.filters.period, pattern: '\\d{4}-(0[1-9]|1[0-2])', placeholder: 'YYYY-MM', size: '8', autocomplete: 'off', inputmode: 'numeric', 'aria-describedby': 'invoice-period-hint' });
  const status = select('status', statuses, state.filters.status);
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Filter');
  const form = el('form', { class: 'inline', role: 'search', 'aria-label': 'Filter invoices', novalidate: true },
    field('invoice-period', 'Period month', period),
    field('invoice-status', 'Status', status),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const month = period.value.trim();
    if (month && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      ctx.fail(new Error('Period month: write it as YYYY-MM, for example 2026-11.'));
      period.focus();
      return;
    }
    state.filters = { period: month, status: status.value };
    state.cursors = [null];
    state.page = 0;
    submit.disabled = true;
    try {
      await load(ctx, results);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

const loads = newestOnly();

async function load(ctx, results) {
  const ticket = loads.begin();
  results.setAttribute('aria-busy', 'true');
  let answer;
  try {
    answer = await ctx.api.get('/api/billing/admin/invoices', { query: { ...state.filters, cursor: state.cursors[state.page], limit: 20 } });
  } catch (error) {
    if (ctx.current() && loads.isNewest(ticket)) {
      ctx.fail(error);
      results.replaceChildren();
      results.removeAttribute('aria-busy');
    }
    return;
  }
  if (!ctx.current() || !loads.isNewest(ticket)) return; // another view, or a newer filter or page, is being shown
  results.removeAttribute('aria-busy');
  state.cursors[state.page + 1] = answer.nextCursor ?? undefined;
  const invoices = answer.invoices ?? [];
  const pageNumber = state.page + 1;
  const filtered = [state.filters.period && `period ${state.filters.period}`, state.filters.status && `status ${state.filters.status}`].filter(Boolean).join(', ');
  const table = invoiceTable(`Invoices${filtered ? ` (${filtered})` : ''}, page ${pageNumber}`, invoices, {
    empty: state.page === 0 ? 'No invoice matches these filters.' : 'No more invoices.',
    accountOf: (item) => el('a', { href: `#account/${encodeURIComponent(item.accountId)}` }, item.accountId),
  });
  const first = el('button', { type: 'button', disabled: state.page === 0 }, 'First page');
  const next = el('button', { type: 'button', disabled: !answer.nextCursor }, 'Next page');
  first.addEventListener('click', () => {
    state.page = 0;
    load(ctx, results);
  });
  next.addEventListener('click', () => {
    state.page += 1;
    load(ctx, results);
  });
  results.replaceChildren(table, el('nav', { class: 'pager', 'aria-label': 'Invoice pages' }, first, ' ', next));
  ctx.ok(`${invoices.length === 1 ? '1 invoice' : `${invoices.length} invoices`} on page ${pageNumber}${answer.nextCursor ? '; there are more' : ''}.`);
}

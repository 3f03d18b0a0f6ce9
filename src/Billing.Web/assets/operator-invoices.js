// Every account's usage invoices, newest period first: filter by the month a period started in and by status; pages.
import { el, render } from './ui.js';
import { invoiceTable } from './operator-account.js';
import { cursorList, field, section, select } from './operator-common.js';

const statuses = [['', 'Any status'], ['draft', 'draft'], ['open', 'open'], ['paid', 'paid'], ['void', 'void'], ['uncollectible', 'uncollectible'], ['deleted', 'deleted']];
const state = { filters: { period: '', status: '' }, cursors: [null], page: 0 };

export async function showInvoices(ctx) {
  const list = cursorList(ctx, {
    state,
    read: (filters, cursor) => ctx.api.get('/api/billing/admin/invoices', { query: { ...filters, cursor, limit: 20 } }),
    draw: invoicesTable,
    noun: ['invoice', 'invoices'],
    label: 'Invoice pages',
  });
  render('content', section('all-invoices-title', 'Invoices', filterForm(ctx, list),
    el('p', { class: 'muted', id: 'invoice-period-hint' }, 'Period month: the month a billing period started in, as YYYY-MM; empty for all.'), list.results));
  await list.load();
}

function filterForm(ctx, list) {
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
    await list.filter({ period: month, status: status.value }, submit);
  });
  return form;
}

function invoicesTable(answer, pageNumber) {
  const invoices = answer.invoices ?? [];
  const filtered = [state.filters.period && `period ${state.filters.period}`, state.filters.status && `status ${state.filters.status}`].filter(Boolean).join(', ');
  const table = invoiceTable(`Invoices${filtered ? ` (${filtered})` : ''}, page ${pageNumber}`, invoices, {
    empty: pageNumber === 1 ? 'No invoice matches these filters.' : 'No more invoices.',
    accountOf: (item) => el('a', { href: `#account/${encodeURIComponent(item.accountId)}` }, item.accountId),
  });
  return { table, count: invoices.length };
}

// Accounts: filter by plan, status and text (account id or Stripe customer id), page with the API's cursor, open one.
import { meterName } from './api.js';
import { formatMoney } from './money.js';
import { el, formatCount, formatPeriod, render } from './ui.js';
import { cursorList, dataTable, field, moneyList, section, select, statusBadge } from './operator-common.js';

const statuses = [
  ['', 'Any status'], ['active', 'active'], ['trialing', 'trialing (Stripe)'], ['trial', 'trial (local)'], ['past_due', 'past due'],
  ['unpaid', 'unpaid'], ['canceled', 'canceled'], ['incomplete', 'incomplete'], ['incomplete_expired', 'incomplete expired'],
  ['paused', 'paused'], ['none', 'none (no subscription)'],
];

// Kept while the page is open, so "Back to accounts" returns to the same filters and page.
const state = { filters: { plan: '', status: '', q: '' }, cursors: [null], page: 0 };
let plans = null;

export async function showAccounts(ctx) {
  if (!plans) {
    // The plan filter waits for the catalog; the view shown until now (an account's picture, with its forms) must not
    // stay on screen meanwhile under the "Accounts" link.
    render('content', section('accounts-title', 'Accounts', el('p', { class: 'muted' }, 'Loading…')));
    try {
      plans = (await ctx.api.get('/api/billing/plans')).plans ?? [];
    } catch {
      plans = []; // the filter still works with "Any plan"; the accounts call below reports any real trouble
    }
    if (!ctx.current()) return; // the operator went to another view meanwhile
  }
  const list = cursorList(ctx, {
    state,
    read: (filters, cursor) => ctx.api.get('/api/billing/admin/accounts', { query: { ...filters, cursor, limit: 20 } }),
    draw: accountsTable,
    noun: ['account', 'accounts'],
    label: 'Account pages',
  });
  render('content', section('accounts-title', 'Accounts', filterForm(list), list.results));
  await list.load();
}

function filterForm(list) {
  const plan = select('plan', [['', 'Any plan'], ...plans.map((p) => [p.code, `${p.displayName} (${p.code})`])], state.filters.plan);
  const status = select('status', statuses, state.filters.status);
  const q = el('input', { name: 'q', type: 'search', maxlength: '128', value: state.filters.q, autocomplete: 'off' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Filter');
  const form = el('form', { class: 'inline', role: 'search', 'aria-label': 'Filter accounts' },
    field('filter-plan', 'Plan', plan),
    field('filter-status', 'Status', status),
    field('filter-q', 'Account or customer id contains', q),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await list.filter({ plan: plan.value, status: status.value, q: q.value.trim() }, submit);
  });
  return form;
}

/** The currency the shop sells in (a plan's or its Stripe price's), for a balance of nothing. */
function shopCurrency() {
  return (plans ?? []).map((p) => p.currency ?? p.prices?.[0]?.currency).find(Boolean) ?? 'usd';
}

function accountsTable(answer, pageNumber) {
  const accounts = answer.accounts ?? [];
  const rows = accounts.map((a) => [
    el('a', { href: `#account/${encodeURIComponent(a.accountId)}` }, a.accountId),
    a.plan,
    statusBadge(a.status),
    formatPeriod(a.entitlement?.periodStart, a.entitlement?.periodEnd),
    usageSummary(a.usage),
    a.credits?.available === false ? el('span', { class: 'muted' }, 'not available') : moneyList(a.credits?.balance, shopCurrency()),
    a.stripeCustomerId ?? '',
  ]);
  const table = dataTable(`Accounts, page ${pageNumber}`, [
    { header: 'Account' }, { header: 'Plan' }, { header: 'Status' }, { header: 'Period (UTC)' }, { header: 'Usage this period' },
    { header: 'Credit', numeric: true }, { header: 'Stripe customer' },
  ], rows, { empty: pageNumber === 1 ? 'No account matches these filters.' : 'No more accounts.' });
  return { table, count: accounts.length };
}

/** "agent runs 5,250 / 5,000 (+250)" per meter that has a limit or use; overage money at the end. */
export function usageSummary(usage) {
  if (!usage) return '';
  const meters = (usage.meters ?? []).filter((m) => m.used > 0 || m.limit !== null);
  const lines = meters.map((m) => {
    const limit = m.limit === null || m.limit === undefined ? '' : ` / ${formatCount(m.limit)}`;
    const over = m.overageUnits > 0 ? ` (+${formatCount(m.overageUnits)} over)` : '';
    return el('li', {}, `${meterName(m.meter)}: ${formatCount(m.used)}${limit}${over}`);
  });
  const overage = (usage.overageTotal ?? []).filter((t) => t.amount > 0).map((t) => formatMoney(t.amount, t.currency));
  return el('div', {},
    lines.length ? el('ul', { class: 'plain' }, lines) : el('span', { class: 'muted' }, 'no usage'),
    overage.length ? el('div', {}, `Overage: ${overage.join(', ')}`) : null);
}

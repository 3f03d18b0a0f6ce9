// Accounts: filter by plan, status and text (account id or Stripe customer id), page with the API's cursor, open one.
import { meterName } from './api.js';
import { el, formatCount, formatMoney, render } from './ui.js';
import { dataTable, field, moneyList, newestOnly, periodText, section, select, statusBadge } from './operator-common.js';

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
    try {
      plans = (await ctx.api.get('/api/billing/plans')).plans ?? [];
    } catch {
      plans = []; // the filter still works with "Any plan"; the accounts call below reports any real trouble
    }
    if (!ctx.current()) return; // the operator went to another view meanwhile
  }
  const results = el('div', { id: 'account-results' });
  const form = filterForm(ctx, results);
  render('content', section('accounts-title', 'Accounts', form, results));
  await load(ctx, results);
}

function filterForm(ctx, results) {
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
    state.filters = { plan: plan.value, status: status.value, q: q.value.trim() };
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
    answer = await ctx.api.get('/api/billing/admin/accounts', {
      query: { ...state.filters, cursor: state.cursors[state.page], limit: 20 },
    });
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
  const accounts = answer.accounts ?? [];
  const rows = accounts.map((a) => [
    el('a', { href: `#account/${encodeURIComponent(a.accountId)}` }, a.accountId),
    a.plan,
    statusBadge(a.status),
    periodText(a.entitlement?.periodStart, a.entitlement?.periodEnd),
    usageSummary(a.usage),
    a.credits?.available === false ? el('span', { class: 'muted' }, 'not available') : moneyList(a.credits?.balance),
    a.stripeCustomerId ?? '',
  ]);
  const pageNumber = state.page + 1;
  const table = dataTable(`Accounts, page ${pageNumber}`, [
    { header: 'Account' }, { header: 'Plan' }, { header: 'Status' }, { header: 'Period (UTC)' }, { header: 'Usage this period' },
    { header: 'Credit', numeric: true }, { header: 'Stripe customer' },
  ], rows, { empty: state.page === 0 ? 'No account matches these filters.' : 'No more accounts.' });
  results.replaceChildren(table, pager(ctx, results, answer.nextCursor));
  ctx.ok(`${accounts.length === 1 ? '1 account' : `${accounts.length} accounts`} on page ${pageNumber}${answer.nextCursor ? '; there are more' : ''}.`);
}

function pager(ctx, results, nextCursor) {
  // The API's cursors only go forward; the page keeps those it was given, so it can also go back one page.
  const first = el('button', { type: 'button', disabled: state.page === 0 }, 'First page');
  const previous = el('button', { type: 'button', disabled: state.page === 0 }, 'Previous page');
  const next = el('button', { type: 'button', disabled: !nextCursor }, 'Next page');
  const go = (page) => {
    state.page = page;
    load(ctx, results);
  };
  first.addEventListener('click', () => go(0));
  previous.addEventListener('click', () => go(Math.max(0, state.page - 1)));
  next.addEventListener('click', () => go(state.page + 1));
  return el('nav', { class: 'pager', 'aria-label': 'Account pages' }, first, previous, next);
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

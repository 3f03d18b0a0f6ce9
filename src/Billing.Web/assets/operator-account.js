// One account's full picture: stored and live Stripe subscription, usage by period, invoices, credit with the ledger and
// a manual adjustment, the latest Stripe events, and a re-sync from Stripe.
import { meterName } from './api.js';
import { currencyDigits, formatMoney, parseMinorUnits } from './money.js';
import { el, formatCount, formatDateTime, formatPeriod, hold, render, webUrl } from './ui.js';
import { usageSummary } from './operator-accounts.js';
import { dataTable, facts, field, moneyList, newIdempotencyKey, section, signedMoney, statusBadge } from './operator-common.js';

/**
 * Per account, the idempotency key of an adjustment submitted and not yet answered with a success: { fingerprint, key }.
 * Kept outside the form, which a re-sync draws anew (and which the operator may leave and come back to): the same
 * adjustment submitted again after a lost answer must carry the same key, or it is posted twice.
 */
const pendingAdjustments = new Map();

/**
 * Per account, the adjustment on its way: a promise settled when its answer has been handled, with the context of the
 * picture whose credit that answer read again (null: none). A form drawn meanwhile (a
 * re-sync draws the account anew, the operator comes back to it) holds its "Adjust credit" button until then, as the
 * form it was sent from does: pressed, it sent the same adjustment again while the first was unanswered.
 */
const adjustmentsOnTheirWay = new Map();

/**
 * The account is read by its view, by a re-sync and after an adjustment, and the readings can answer in any order: a
 * re-sync's, asked for before an adjustment posted and answered after the adjustment's own reading was drawn, drew the
 * balance and ledger from before it. A reading takes a ticket when asked for; the credit drawn is that of the newest
 * reading drawn so far of the account (newestCredit), never an older one over it.
 */
let readingsAsked = 0;
let newestCredit = { accountId: null, ticket: 0, credits: null };

/** Reads the account; credit() gives the credit to draw once it has answered (its own, or a newer reading's). */
async function readAccount(api, accountId) {
  const ticket = ++readingsAsked;
  const account = await api.get(`/api/billing/admin/accounts/${encodeURIComponent(accountId)}`);
  return {
    account,
    credit: () => {
      if (newestCredit.accountId === accountId && newestCredit.ticket > ticket) return newestCredit.credits;
      newestCredit = { accountId, ticket, credits: account.credits };
      return account.credits;
    },
  };
}

/** The account whose picture is drawn, with its view's context (current() while it is on screen). */
let shownAccount = null;

/** The currency the shop sells in (the catalog's, read once; null until read or when it could not be), for an account without any amount yet. */
let shop = null;

async function readShopCurrency(api) {
  if (shop) return;
  try {
    const plans = (await api.get('/api/billing/plans')).plans ?? [];
    shop = plans.map((p) => p.currency ?? p.prices?.[0]?.currency).find(Boolean) ?? null;
  } catch {
    shop = null; // the form still works: the operator types the currency
  }
}

export async function showAccount(ctx, accountId) {
  render('content', section('account-title', `Account ${accountId}`, backLink(), el('p', { class: 'muted' }, 'Loading…')));
  // An adjustment of this account on its way as it is read: the reading may be from before it posted, and its answer,
  // handled while this picture still loads or under another sign-in, draws nothing here (its form is held meanwhile).
  // The credit is read again once that answer has been handled, or the picture kept the balance from before it.
  const onItsWay = adjustmentsOnTheirWay.get(accountId);
  let reading;
  try {
    [reading] = await Promise.all([readAccount(ctx.api, accountId), readShopCurrency(ctx.api)]);
  } catch (error) {
    if (!ctx.current()) return;
    ctx.fail(error);
    render('content', section('account-title', `Account ${accountId}`, backLink()));
    return;
  }
  if (!ctx.current()) return;
  renderAccount(ctx, { ...reading.account, credits: reading.credit() });
  document.getElementById('account-title').focus();
  if (onItsWay) onItsWay.then((refreshed) => { if (refreshed !== ctx) refreshCredit(ctx, accountId); });
}

/**
 * Where an action on account a says how it went. Its answer can come after the operator has moved on (another account,
 * the accounts list): there the sentence names the account, so that "Balance now $12.34" or "Entitled to PRO" is not
 * read as the shown view's.
 */
function outcomes(ctx, a) {
  const named = (text) => (ctx.current() ? text : `Account ${a.accountId}: ${text}`);
  return {
    ok: (text) => ctx.ok(named(text)),
    fail: (error) => ctx.fail(ctx.current() ? error : new Error(named(error?.message ?? String(error)))),
  };
}

function backLink() {
  return el('p', {}, el('a', { href: '#accounts' }, 'Back to accounts'));
}

/** keepTyped: the account drawn anew (after a re-sync) keeps what the operator has typed in its adjustment form. */
function renderAccount(ctx, a, { keepTyped = false } = {}) {
  const typed = keepTyped ? ['adjust-amount', 'adjust-currency', 'adjust-reason'].map((id) => [id, document.getElementById(id)?.value]) : [];
  shownAccount = { accountId: a.accountId, ctx };
  render('content',
    section('account-title', `Account ${a.accountId}`, backLink(), summary(a)),
    subscriptionSection(a),
    usageSection(a),
    invoicesSection(a),
    creditSection(ctx, a),
    eventsSection(a),
    resyncSection(ctx, a));
  for (const [id, value] of typed) {
    const input = document.getElementById(id);
    if (input && value !== undefined) input.value = value;
  }
  if (keepTyped) document.getElementById('adjust-currency')?.dispatchEvent(new Event('input')); // the hint follows the currency
}

function summary(a) {
  const e = a.entitlement;
  return facts([
    ['Plan', a.plan],
    ['Status', statusBadge(a.status)],
    ['Entitled to', e ? `${e.planCode} (${e.source}), ${formatPeriod(e.periodStart, e.periodEnd)} (UTC)${e.endsAt ? `, ends ${formatDateTime(e.endsAt)}` : ''}` : null],
    ['Stripe customer', a.account?.stripeCustomerId ?? 'none'],
    ['Former Stripe customers', (a.account?.formerStripeCustomerIds ?? []).join(', ')],
    ['Trial used', a.account?.trialUsedAt ? formatDateTime(a.account.trialUsedAt) : 'no'],
    ['Local trial', a.account?.localTrial ? `${a.account.localTrial.plan} until ${formatDateTime(a.account.localTrial.endsAt)}` : null],
    ['Last paid plan', a.account?.lastPaidPlan],
    ['Created', formatDateTime(a.account?.createdAt)],
    ['Updated', formatDateTime(a.account?.updatedAt)],
    ['As of', formatDateTime(a.asOf)],
  ]);
}

function subscriptionSection(a) {
  const stored = a.subscription;
  const live = a.stripe ?? { asked: false, reachable: true, subscriptions: [] };
  const rows = [];
  if (stored) {
    rows.push(['Stored', stored.subscriptionId, statusBadge(stored.status), stored.planCode ?? stored.priceId ?? '',
      formatPeriod(stored.currentPeriodStart, stored.currentPeriodEnd), renewalText(stored), formatDateTime(stored.stripeStateAsOf)]);
  }
  for (const s of live.subscriptions ?? []) {
    rows.push(['Stripe now', s.subscriptionId, statusBadge(s.status), s.priceId ?? '', formatPeriod(s.currentPeriodStart, s.currentPeriodEnd),
      renewalText(s), formatDateTime(s.asOf)]);
  }
  let liveNote = null;
  if (!live.asked) liveNote = el('p', { class: 'muted' }, 'Stripe was not asked: the account has no Stripe customer or subscription.');
  else if (!live.reachable) {
    liveNote = el('p', { class: 'error' }, `Stripe could not be reached, so only the stored subscription is shown${live.error ? `: ${live.error}` : '.'}`);
  } else if (!(live.subscriptions ?? []).length) liveNote = el('p', { class: 'muted' }, 'Stripe has no subscription for this customer.');
  return section('subscription-title', 'Subscription', liveNote,
    dataTable('Stored and live subscription', [
      { header: 'Source' }, { header: 'Subscription' }, { header: 'Status' }, { header: 'Plan or price' }, { header: 'Period (UTC)' },
      { header: 'Renewal' }, { header: 'As of' },
    ], rows, { empty: 'No subscription is stored for this account.' }));
}

/** When the subscription renews or ends: moments, in the operator's time zone as the customer's page shows them. */
function renewalText(s) {
  if (s.endedAt) return `ended ${formatDateTime(s.endedAt)}`;
  if (s.cancelAtPeriodEnd || s.cancelAt) return `cancels ${formatDateTime(s.cancelAt ?? s.currentPeriodEnd)}`;
  if (s.trialEnd) return `trial ends ${formatDateTime(s.trialEnd)}`;
  if (s.pastDueSince) return `past due since ${formatDateTime(s.pastDueSince)}`;
  return s.currentPeriodEnd ? `renews ${formatDateTime(s.currentPeriodEnd)}` : '';
}

function usageSection(a) {
  const current = a.currentUsage;
  const meters = (current?.meters ?? []).map((m) => [
    meterName(m.meter),
    formatCount(m.used),
    m.limit === null || m.limit === undefined ? 'unlimited' : formatCount(m.limit),
    m.enforcement,
    formatCount(m.overageUnits),
    m.overageCharge ? formatMoney(m.overageCharge.amount, m.overageCharge.currency) : '',
  ]);
  const periods = (a.usage ?? []).map((p) => [formatPeriod(p.start, p.end), p.plan?.displayName ?? p.plan?.code ?? '', usageSummary(p), moneyList(p.overageTotal)]);
  return section('usage-title', 'Usage',
    current ? el('p', {}, `This period: ${formatPeriod(current.start, current.end)} on ${current.plan?.displayName ?? current.plan?.code ?? a.plan}.`) : null,
    dataTable('Usage this period', [
      { header: 'Meter' }, { header: 'Used', numeric: true }, { header: 'Limit', numeric: true }, { header: 'Enforcement' },
      { header: 'Overage units', numeric: true }, { header: 'Overage charge', numeric: true },
    ], meters, { empty: 'No meters in this period.' }),
    dataTable('Usage by period, last six months', [
      { header: 'Period (UTC)' }, { header: 'Plan' }, { header: 'Usage' }, { header: 'Overage', numeric: true },
    ], periods, { empty: 'No usage in the last six months.' }));
}

function invoicesSection(a) {
  return section('invoices-title', 'Invoices', invoiceTable('Invoices of this account', a.invoices ?? [], { empty: 'No usage invoice yet.' }));
}

/** Invoices as GET /api/billing/invoices shapes them; accountOf(i): an account cell first (the all-accounts list). */
export function invoiceTable(caption, invoices, { empty, accountOf = null } = {}) {
  const columns = [
    ...(accountOf ? [{ header: 'Account' }] : []),
    { header: 'Invoice' }, { header: 'Period (UTC)' }, { header: 'Plan' }, { header: 'Status' }, { header: 'Amount', numeric: true },
    { header: 'Credit applied', numeric: true }, { header: 'Lines' },
  ];
  const rows = invoices.map((item) => {
    const i = accountOf ? item.invoice : item;
    const name = i.number ?? i.id;
    const link = webUrl(i.hostedInvoiceUrl) ? el('a', { href: webUrl(i.hostedInvoiceUrl).href, target: '_blank', rel: 'noopener' }, name, el('span', { class: 'visually-hidden' }, ' (opens Stripe\'s invoice page)')) : name;
    return [
      ...(accountOf ? [accountOf(item)] : []),
      link,
      formatPeriod(i.period?.start, i.period?.end),
      i.plans ?? i.plan, // "PRO then ENTERPRISE" when the plan changed during the period
      statusBadge(i.status),
      formatMoney(i.amount, i.currency),
      i.creditApplied ? formatMoney(i.creditApplied, i.currency) : '',
      el('ul', { class: 'plain' }, (i.lines ?? []).map((l) => el('li', {}, `${l.description}: ${formatMoney(l.amount, i.currency)}`))),
    ];
  });
  return dataTable(caption, columns, rows, { empty });
}

function creditSection(ctx, a) {
  const credits = a.credits ?? { available: false, balance: [], entries: [] };
  const balance = el('p', { id: 'credit-balance' }, `Balance: ${moneyList(credits.balance, shop ?? undefined)}`);
  const unavailable = credits.available ? null : el('p', { class: 'muted' }, `The credit ledger could not be read${credits.reason ? `: ${credits.reason}` : '.'}`);
  const ledger = el('div', { id: 'credit-ledger' }, ledgerTable(credits.entries ?? []));
  return section('credit-title', 'Credit', balance, unavailable, adjustmentForm(ctx, a), ledger);
}

function ledgerTable(entries) {
  const rows = entries.map((e) => [
    formatDateTime(e.at), e.kind, signedMoney(e.amount, e.currency), e.reason ?? '', e.actor ?? '', e.expiresAt ? formatDateTime(e.expiresAt) : '',
  ]);
  return dataTable('Credit ledger, latest 20 entries', [
    { header: 'When' }, { header: 'Kind' }, { header: 'Amount', numeric: true }, { header: 'Reason' }, { header: 'By' }, { header: 'Expires' },
  ], rows, { empty: 'No credit entries.' });
}

/**
 * A manual credit adjustment. The amount is typed as a decimal and converted to minor units exactly. The page makes one
 * idempotency key per filled-in form and sends it again when the same form is submitted again after a failure (a lost
 * answer, a timeout), so a retry never posts twice; a changed form or a success starts a new key.
 */
function adjustmentForm(ctx, a) {
  // The account's own currencies first, then the shop's: usd only when nothing says otherwise.
  const currencies = [...new Set([...(a.credits?.balance ?? []).map((b) => b.currency), a.currentUsage?.overageTotal?.[0]?.currency, shop, 'usd'].filter(Boolean))];
  const amount = el('input', { name: 'amount', inputmode: 'decimal', autocomplete: 'off', required: true });
  const currency = el('input', { name: 'currency', value: currencies[0], required: true, pattern: '[A-Za-z]{3}', maxlength: '3', size: '4', autocomplete: 'off' });
  const reason = el('input', { name: 'reason', required: true, maxlength: '500', autocomplete: 'off' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Adjust credit');
  const result = el('div', { id: 'adjustment-result' });
  const told = outcomes(ctx, a);
  const onItsWay = adjustmentsOnTheirWay.get(a.accountId);
  if (onItsWay) onItsWay.then(hold(submit));

  const form = el('form', { class: 'inline', 'aria-label': 'Adjust credit', novalidate: true },
    field('adjust-amount', 'Amount', amount),
    field('adjust-currency', 'Currency', currency),
    field('adjust-reason', 'Reason', reason),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (adjustmentsOnTheirWay.has(a.accountId)) return; // one adjustment of an account on its way at a time
    result.replaceChildren();
    const code = currency.value.trim().toLowerCase();
    const parsed = parseMinorUnits(amount.value, code);
    const why = reason.value.trim();
    if ('error' in parsed || !why) {
      const message = 'error' in parsed ? `Amount: ${parsed.error}` : 'Reason: say why the credit changes (it is kept on the ledger).';
      ctx.fail(new Error(message));
      result.replaceChildren(el('p', { class: 'error' }, message)); // next to the form too: the alert is at the top of a long page
      ('error' in parsed ? amount : reason).focus();
      return;
    }
    const sent = [amount.value, currency.value, reason.value];
    const fingerprint = JSON.stringify([a.accountId, parsed.minor, code, why]);
    let pending = pendingAdjustments.get(a.accountId);
    if (pending?.fingerprint !== fingerprint) {
      pending = { fingerprint, key: newIdempotencyKey() };
      pendingAdjustments.set(a.accountId, pending);
    }
    const settled = () => {
      if (pendingAdjustments.get(a.accountId) === pending) pendingAdjustments.delete(a.accountId);
    };
    const release = hold(submit);
    let answered;
    let refreshed = null;
    adjustmentsOnTheirWay.set(a.accountId, new Promise((resolve) => { answered = resolve; }));
    try {
      const answer = await ctx.api.post(`/api/billing/admin/accounts/${encodeURIComponent(a.accountId)}/credits`, {
        amount: parsed.minor, currency: code, reason: why, idempotencyKey: pending.key,
      });
      settled();
      // A re-sync may have drawn the account anew meanwhile, keeping the adjustment typed: the answer goes to the form,
      // balance and ledger on screen, or that form would still hold the adjustment just posted (its key spent, a press
      // would post it again) beside the balance from before it. Emptied only while it holds what was sent.
      const [onAmount, onCurrency, onReason, onResult] = [amount, currency, reason, result].map(onScreen);
      if (onAmount === amount || [onAmount.value, onCurrency.value, onReason.value].every((value, i) => value === sent[i])) {
        onAmount.form?.reset();
        onCurrency.value = code;
        onCurrency.dispatchEvent(new Event('input')); // the hint follows the currency
      }
      const entry = answer.entry;
      const text = `${answer.replayed ? 'Already posted' : 'Posted'}: entry ${entry.sequence}, ${entry.kind} ${signedMoney(entry.amount, entry.currency)} (${entry.reason ?? why}). `
        + `Balance now ${formatMoney(answer.balance, entry.currency)}.`;
      onResult.replaceChildren(el('p', { class: 'notice' }, text));
      told.ok(text);
      refreshed = shown() ? shownAccount.ctx : ctx;
      await refreshCredit(refreshed, a.accountId);
    } catch (error) {
      if (error?.status && error.status < 500 && error.status !== 429) settled(); // refused: nothing was posted
      told.fail(error);
      if (error?.status !== 403) onScreen(result).replaceChildren(el('p', { class: 'error' }, error.message));
    } finally {
      adjustmentsOnTheirWay.delete(a.accountId);
      answered(refreshed);
      release();
    }
  });
  /**
   * Whether a picture of this account is on screen under the same sign-in: this one, one drawn anew by a re-sync, or
   * the account opened again (another operator's picture of it, after a sign-out, gets nothing of this answer).
   */
  function shown() {
    return shownAccount?.accountId === a.accountId && shownAccount.ctx.signIn === ctx.signIn && shownAccount.ctx.current();
  }
  /**
   * The element drawn in place of this one (same id) while a picture of this account is on screen: the answer goes to
   * the form, balance and ledger shown, which a re-sync drew anew or the account opened again read before it posted.
   */
  function onScreen(element) {
    if (element.isConnected || !shown()) return element;
    return document.getElementById(element.id) ?? element;
  }
  amount.setAttribute('aria-describedby', 'adjust-hint');
  const hint = el('p', { class: 'muted', id: 'adjust-hint' }, adjustmentHint(currencies[0]));
  // The decimals allowed are the currency's: typing another currency changes them.
  currency.addEventListener('input', () => { hint.textContent = adjustmentHint(currency.value.trim()); });
  return el('div', {},
    el('h3', {}, 'Adjust credit'),
    form,
    hint,
    result);
}

function adjustmentHint(code) {
  const digits = /^[A-Za-z]{3}$/.test(code) ? currencyDigits(code) : null;
  const decimals = digits === null ? '' : ` (${digits ? `up to ${digits} decimals` : 'no decimals'} for ${code.toUpperCase()})`;
  return `A decimal amount in the currency${decimals}: 10.50 grants credit, -3 takes it away. The ledger records the reason and your operator id.`;
}

/**
 * Reads the account's credit again and draws it in the balance and ledger on screen when it answers: those of the picture
 * drawn then (a re-sync may have drawn the account anew meanwhile; drawn in the ones replaced, the reading was lost).
 */
async function refreshCredit(ctx, accountId) {
  if (!ctx.current()) return; // the account is no longer shown
  try {
    const reading = await readAccount(ctx.api, accountId);
    const [balance, ledger] = [document.getElementById('credit-balance'), document.getElementById('credit-ledger')];
    if (!ctx.current() || !balance || !ledger) return;
    const credits = reading.credit();
    balance.textContent = `Balance: ${moneyList(credits?.balance, shop ?? undefined)}`;
    ledger.replaceChildren(ledgerTable(credits?.entries ?? []));
  } catch (error) {
    if (ctx.current()) ctx.fail(error);
  }
}

function eventsSection(a) {
  const rows = (a.events ?? []).map((e) => [
    e.eventId, e.type, statusBadge(e.status), formatDateTime(e.created), formatDateTime(e.receivedAt), formatCount(e.attempts), e.note ?? '',
  ]);
  return section('events-title', 'Stripe events',
    dataTable('Latest Stripe events for this account', [
      { header: 'Event' }, { header: 'Type' }, { header: 'Outcome' }, { header: 'Created' }, { header: 'Received' },
      { header: 'Attempts', numeric: true }, { header: 'Note' },
    ], rows, { empty: 'No Stripe event for this account yet.' }));
}

function resyncSection(ctx, a) {
  const button = el('button', { type: 'button', id: 'resync-button' }, 'Re-sync from Stripe');
  const result = el('div', { id: 'resync-result' });
  const told = outcomes(ctx, a);
  button.addEventListener('click', async () => {
    const focused = document.activeElement === button;
    const release = hold(button);
    try {
      const answer = await ctx.api.post(`/api/billing/admin/accounts/${encodeURIComponent(a.accountId)}/resync`);
      const steps = (answer.steps ?? []).map((s) => `${s.subscriptionId}: ${s.outcome}`).join('; ') || 'nothing to apply';
      const e = answer.entitlement;
      told.ok(`Re-synced from Stripe (${steps}). Entitled to ${e?.planCode ?? 'nothing'}${e?.endsAt ? ` until ${formatDateTime(e.endsAt)}` : e?.periodEnd ? `, current period to ${formatDateTime(e.periodEnd)}` : ''}.`);
      result.replaceChildren(el('p', {}, `Steps: ${steps}.`));
      // The account is read again only while it is shown: one left (another view, a sign-out) is not, as the adjustment's
      // (signed out, the reading went without a token and its 401 was said on the signed-out page).
      if (!ctx.current()) return;
      const reading = await readAccount(ctx.api, a.accountId);
      if (ctx.current()) {
        renderAccount(ctx, { ...reading.account, credits: reading.credit() }, { keepTyped: true });
        // The account drawn anew has a new re-sync section: the steps go to its result, the focus to its button.
        document.getElementById('resync-result')?.replaceChildren(el('p', {}, `Steps: ${steps}.`));
        if (focused) document.getElementById('resync-button')?.focus();
      }
    } catch (error) {
      if (error?.code === 'no_stripe_customer') {
        // Not a failure for an operator: the customer's sentence ("choose a plan first") is not theirs.
        told.ok('Nothing to re-sync: this account has no Stripe customer yet.');
        result.replaceChildren();
        return;
      }
      told.fail(error);
      if (error?.status !== 403) result.replaceChildren(el('p', { class: 'error' }, error.message));
    } finally {
      release();
    }
  });
  return section('resync-title', 'Re-sync',
    el('p', {}, 'Reads the customer\'s subscriptions from Stripe and applies them as the webhooks would: the remedy for missed events.'),
    button, result);
}

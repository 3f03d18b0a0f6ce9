// The customer's billing page: plan, usage, plans to choose, entitlements, invoices and credits of the signed-in account.
// Every call goes through api.js to an operation of the OpenAPI document; every refusal is shown as its ApiError message.
import { createApi } from './api.js';
import { createSession, loadConfig, mountSignIn } from './session.js';
import { announce, busy, el, formatDateTime, leaveTo, leaving, render } from './ui.js';
import { creditsSection, entitlementsSection, invoiceRow, invoicesSection, ledgerRow, offersSection, planSection, plansSection, usageSection } from './billing-view.js';

const AUTO_REFRESH_MS = 30_000;
const CONFIRM_TIMEOUT_MS = 30_000;
const CONFIRM_POLL_MS = 1_500;
const LEDGER_PAGE = 10;
const INVOICE_PAGE = 24;
const pendingKey = 'billing.pendingCheckout';
const portalKey = 'billing.portalVisit';
const PORTAL_WATCH_MS = 120_000;
const PORTAL_FAST_WATCH_MS = 20_000;

const config = await loadConfig();
const session = createSession(config, 'billing');
const api = createApi({ baseUrl: config.apiBaseUrl, getToken: () => session.getToken(), onSignedOut: () => announce('alert', 'Your sign-in has expired. Sign in again.', { error: true }) });

const state = { catalog: null, plans: [], pricesAvailable: true, subscription: null, entitlements: null, entitlementsLoad: null, usage: null, offers: null, interval: 'month', ledger: [], ledgerCursor: null, invoiceCursor: null, timer: null, signIn: null };

/**
 * The sign-in the page shows: a new object at each sign-in, null once signed out. A load notes it when it asks and
 * keeps or draws its answer only while that sign-in is still the one shown: an account signed out during a load (and
 * another signed in) must not have its plan drawn on the other's page, nor its cursors or subscription kept for it.
 */
function still(signIn) {
  return signIn !== null && state.signIn === signIn;
}

/**
 * The usage and the entitlements are read by the page's load, by Refresh and by the 30 s timer, and their answers can
 * come back in any order: a reading is kept only when no reading asked for after it has been kept already, so the page's
 * first reading answering after a Refresh pressed while the page loaded does not draw the older numbers over the new.
 */
const readings = { usage: { asked: 0, kept: 0 }, entitlements: { asked: 0, kept: 0 } };
function reading(kind) {
  const counts = readings[kind];
  const ticket = ++counts.asked;
  const signIn = state.signIn;
  return () => {
    if (!still(signIn) || ticket < counts.kept) return false;
    counts.kept = ticket;
    return true;
  };
}

/**
 * A button's action, run for the sign-in shown when it was pressed: refused after that account signed out (perhaps
 * another signed in since), its refusal is that sign-in's and is not said (busy says a refusal in #alert).
 */
function ofThisSignIn(action) {
  const signIn = state.signIn;
  return async () => {
    try {
      return await action();
    } catch (error) {
      if (!still(signIn)) return undefined;
      throw error;
    }
  };
}

const sections = [
  ['plan', 'Your plan'],
  ['usage', 'Usage this period'],
  ['plans', 'Plans'],
  ['entitlements', 'Entitlements'],
  ['invoices', 'Invoices'],
  ['credits', 'Credits'],
];

function skeleton() {
  return sections.map(([id, title]) => el('section', { class: 'card', id: `${id}-section`, 'aria-labelledby': `${id}-title` },
    el('div', { class: 'section-head' }, el('h2', { id: `${id}-title` }, title),
      id === 'usage' ? el('button', { type: 'button', onclick: (event) => busy(event.currentTarget, 'alert', ofThisSignIn(refreshFromButton)) }, 'Refresh') : null),
    el('div', { id: `${id}-body`, 'aria-busy': 'true' }, el('p', { class: 'muted' }, 'Loading…'))));
}

async function start() {
  const signIn = {};
  Object.assign(state, { signIn, subscription: null, entitlements: null, entitlementsLoad: null, usage: null, offers: null, ledger: [], ledgerCursor: null, invoiceCursor: null });
  render('content', skeleton());
  // A Checkout another account of this tab left for (it signed out since) is that account's to confirm or call
  // cancelled, when it signs in again: the address and the tab's storage stay as they are for it.
  const another = anothers(storedPending());
  const returning = another ? null : new URLSearchParams(location.search).get('session_id');
  const pending = returning ? readPending(returning) : null;
  // The same for a portal visit: the subscription before it is that account's.
  const portal = storedPortalVisit();
  // Said before the sections are drawn, not once they have all loaded: said above them then, it moved the page down
  // under a press begun on a section drawn earlier (a plan's "Upgrade" button).
  if (returning) announce('status', isCredit(pending) ? 'Payment received — confirming your purchase…' : 'Payment received — confirming your subscription…');
  else if (portal) announce('status', portalWatchText);
  else if (!another && sessionStorage.getItem(pendingKey)) {
    // Back without a session id: the customer left Checkout through its cancel link.
    sessionStorage.removeItem(pendingKey);
    announce('status', 'Checkout was cancelled: nothing was charged.');
  }
  await loadAll();
  if (!still(signIn)) return;
  if (returning) await confirmCheckout(returning, pending);
  // Not awaited: the usage refresh below does not wait up to 2 minutes for the portal's change.
  else if (portal) watchAfterPortal(portal.before).catch(() => {});
  startAutoRefresh();
}

/** Loads every section; one failing section says why in itself and leaves the others working. */
async function loadAll() {
  await Promise.all([loadPlanAndCatalog(), loadInvoices(), loadCredits()]);
}

/**
 * Draws a section from what load() gives. A section that could not be loaded says so and why in itself, as an alert:
 * said in the page's #alert above every section, the reason moved the sections drawn before it down under a press.
 * quiet: the reason is shown without being announced again (sections that failed on one and the same reading).
 */
async function section(id, load, { quiet = false } = {}) {
  const body = document.getElementById(`${id}-body`);
  if (!body) return;
  const signIn = state.signIn;
  try {
    const nodes = await load();
    if (!still(signIn)) return;
    body.replaceChildren(...[nodes].flat(2).filter(Boolean));
  } catch (error) {
    if (!still(signIn)) return;
    body.replaceChildren(el('p', { class: 'muted' }, 'Could not be loaded.'), el('p', { class: 'error', role: quiet ? null : 'alert' }, error.message));
  } finally {
    body.removeAttribute('aria-busy');
  }
}

/** The public catalog (plans with prices, credit packs, add-ons), read once per page load; a failed read is retried next time. */
function catalog() {
  state.catalog ??= api.get('/api/billing/plans').catch((error) => {
    state.catalog = null;
    throw error;
  });
  return state.catalog;
}

async function loadPlanAndCatalog() {
  const signIn = state.signIn;
  try {
    // Kept for the credits section loaded alongside: its add-on offers depend on the plan in force.
    const entitlementsRead = reading('entitlements');
    state.entitlementsLoad = api.get('/api/billing/entitlements');
    const [plans, subscription, entitlements] = await Promise.all([
      catalog(),
      api.get('/api/billing/subscription'),
      state.entitlementsLoad,
    ]);
    if (!still(signIn)) return;
    state.plans = plans.plans;
    state.pricesAvailable = plans.pricesAvailable;
    state.subscription = subscription;
    if (entitlementsRead()) state.entitlements = entitlements;
    if (subscription.subscription?.interval) state.interval = subscription.subscription.interval;
    // A catalog that sells no plan monthly shows no interval choice: start on an interval that is sold.
    const sold = [...new Set(state.plans.flatMap((p) => p.intervals))];
    if (sold.length && !sold.includes(state.interval)) state.interval = sold[0];
  } catch (error) {
    if (!still(signIn)) return;
    for (const [index, id] of ['plan', 'plans', 'entitlements', 'usage'].entries()) await section(id, () => { throw error; }, { quiet: index > 0 });
    return;
  }
  await Promise.all([
    section('plan', () => planSection(state.subscription, { onManage: (event) => toStripe(event.currentTarget, openPortal) })),
    renderPlans(),
    section('entitlements', () => entitlementsSection(state.entitlements, state.subscription)),
    section('usage', loadUsageNodes),
  ]);
  // A plan that changed (a trial started, back from the portal) changes which add-ons would raise anything.
  if (!still(signIn)) return;
  document.getElementById('credit-offers')?.replaceChildren(...offersSection(state.offers, state.entitlements, offerHandlers).filter(Boolean));
}

function renderPlans() {
  return section('plans', () => plansSection(state.plans, state.pricesAvailable, state.subscription, state.interval, {
    onInterval: (value) => {
      state.interval = value;
      renderPlans().then(() => document.querySelector(`input[name="interval"][value="${value}"]`)?.focus());
    },
    onChoose: (plan, live, button) => toStripe(button, () => (live ? openPortal() : checkout(plan))),
    onTrial: (plan, button) => toStripe(button, startTrial),
  }));
}

async function loadUsageNodes() {
  const usageRead = reading('usage');
  const usage = await api.get('/api/billing/usage', { query: { period: 'current' } });
  if (usageRead()) state.usage = usage;
  return usageSection(state.usage, state.entitlements, state.plans);
}

/** Refresh: usage and the allocation counts (entitlements) again; the rest of the page stays as it is. */
async function refreshUsage() {
  const signIn = state.signIn;
  const [entitlementsRead, usageRead] = [reading('entitlements'), reading('usage')];
  const [entitlements, usage] = await Promise.all([api.get('/api/billing/entitlements'), api.get('/api/billing/usage', { query: { period: 'current' } })]);
  if (!still(signIn)) return false;
  if (entitlementsRead()) state.entitlements = entitlements;
  if (usageRead()) state.usage = usage;
  redraw('usage-body', usageSection(state.usage, state.entitlements, state.plans));
  redraw('entitlements-body', entitlementsSection(state.entitlements, state.subscription));
  return true;
}

/**
 * Draws a section's body again with fresh nodes. What had the focus in it (a keyboard user scrolling the limits table,
 * a named region) has it again in the new drawing, scrolled as it was: every 30 s the refresh would otherwise send the
 * focus to the page's body.
 */
function redraw(id, nodes) {
  const body = document.getElementById(id);
  if (!body) return;
  const focused = body.contains(document.activeElement) ? document.activeElement : null;
  const name = focused?.getAttribute('aria-label');
  const scrolled = focused?.scrollLeft ?? 0; // read before it leaves the page (a detached element reads 0)
  body.replaceChildren(...nodes.flat(2).filter(Boolean));
  const again = name ? [...body.querySelectorAll('[aria-label]')].find((e) => e.getAttribute('aria-label') === name) : null;
  if (again) {
    again.scrollLeft = scrolled;
    again.focus({ preventScroll: true });
  }
}

async function refreshFromButton() {
  if (!(await refreshUsage())) return;
  announce('status', `Usage updated at ${new Date().toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' })}.`);
}

function startAutoRefresh() {
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (!state.signIn) {
      clearInterval(state.timer);
      return;
    }
    if (document.visibilityState === 'visible') refreshUsage().catch(() => {}); // a failed background refresh stays quiet
  }, AUTO_REFRESH_MS);
}

async function loadInvoices() {
  const signIn = state.signIn;
  await section('invoices', async () => {
    const [invoices, upcoming] = await Promise.all([api.get('/api/billing/invoices', { query: { limit: INVOICE_PAGE } }), api.get('/api/billing/invoices/upcoming')]);
    if (!still(signIn)) return null;
    state.invoiceCursor = invoices.nextCursor ?? null;
    return invoicesSection(invoices, upcoming, moreInvoicesButton());
  });
}

function moreInvoicesButton() {
  if (!state.invoiceCursor) return null;
  return el('p', { id: 'invoices-more' }, el('button', { type: 'button', onclick: (event) => busy(event.currentTarget, 'alert', ofThisSignIn(showMoreInvoices)) }, 'Show more invoices'));
}

/** The next page of invoices, older than those shown, appended to the table (the API pages newest period first). */
async function showMoreInvoices() {
  const signIn = state.signIn;
  const page = await api.get('/api/billing/invoices', { query: { limit: INVOICE_PAGE, cursor: state.invoiceCursor } });
  if (!still(signIn)) return;
  state.invoiceCursor = page.nextCursor ?? null;
  const rows = page.invoices.map(invoiceRow);
  document.getElementById('invoice-rows')?.append(...rows);
  if (!state.invoiceCursor) document.getElementById('invoices-more')?.remove();
  if (rows[0]) {
    rows[0].setAttribute('tabindex', '-1');
    rows[0].focus();
  }
  announce('status', `${page.invoices.length} more ${page.invoices.length === 1 ? 'invoice' : 'invoices'} shown.`);
}

async function loadCredits() {
  const signIn = state.signIn;
  await section('credits', async () => {
    // The balance and ledger do not depend on the public catalog: without it only the offers are missing.
    const [credits, offers, entitlements] = await Promise.all([
      api.get('/api/billing/credits', { query: { limit: LEDGER_PAGE } }),
      catalog().catch(() => null),
      (state.entitlementsLoad ?? Promise.resolve(null)).catch(() => null),
    ]);
    if (!still(signIn)) return null;
    state.ledger = credits.entries;
    state.ledgerCursor = credits.nextCursor ?? null;
    state.offers = offers;
    return [creditsSection(credits, state.ledger, offers, entitlements, offerHandlers), moreButton()];
  });
}

const offerHandlers = {
  onBuyPack: (pack, button) => toStripe(button, () => purchase('/api/billing/credits/checkout', { pack: pack.code }, { kind: 'credit_pack', name: pack.displayName })),
  onBuyAddOn: (addOn, button) => toStripe(button, () => purchase('/api/billing/addons/checkout', { addOn: addOn.code }, { kind: 'add_on', name: addOn.displayName })),
};

function moreButton() {
  if (!state.ledgerCursor) return null;
  return el('p', { id: 'ledger-more' }, el('button', { type: 'button', onclick: (event) => busy(event.currentTarget, 'alert', ofThisSignIn(showMoreLedger)) }, 'Show more'));
}

async function showMoreLedger() {
  const signIn = state.signIn;
  const page = await api.get('/api/billing/credits', { query: { limit: LEDGER_PAGE, cursor: state.ledgerCursor } });
  if (!still(signIn)) return;
  state.ledgerCursor = page.nextCursor ?? null;
  state.ledger.push(...page.entries);
  const rows = page.entries.map(ledgerRow);
  document.getElementById('ledger-rows')?.append(...rows);
  if (!state.ledgerCursor) document.getElementById('ledger-more')?.remove();
  // Keyboard and screen-reader users land on the first new entry; Tab goes on to "Show more" when there is more.
  if (rows[0]) {
    rows[0].setAttribute('tabindex', '-1');
    rows[0].focus();
  }
  announce('status', `${page.entries.length} more credit ${page.entries.length === 1 ? 'entry' : 'entries'} shown.`);
}

/** Subscribes through Stripe Checkout: remembers what was bought, then leaves for Stripe's page. */
async function checkout(plan) {
  announce('alert', '');
  const signIn = state.signIn;
  try {
    const answer = await api.post('/api/billing/checkout', { plan: plan.code, interval: state.interval });
    if (!still(signIn)) return undefined; // signed out meanwhile: the Checkout was the other account's
    return leaveFor(answer.url, { kind: 'plan', plan: answer.plan, name: plan.displayName, sessionId: answer.sessionId });
  } catch (error) {
    if (!still(signIn)) return undefined;
    if (error.code === 'subscription_live') {
      showAlertWithAction(error.message, 'Open the billing portal', openPortal);
      return;
    }
    if (error.code === 'trial_already_used') {
      // A trial started (another tab) while this Checkout was being made with Stripe's trial: that session is expired,
      // and a new Checkout comes without the trial.
      await loadPlanAndCatalog();
      if (!still(signIn)) return undefined;
      showAlertWithAction('Your free trial has started meanwhile, so this plan can no longer start with free days. Nothing was charged. You can still subscribe now, without a trial.', `Continue to Checkout for ${plan.displayName}`, () => checkout(plan));
      return;
    }
    throw error;
  }
}

async function purchase(path, body, pending) {
  announce('alert', '');
  const signIn = state.signIn;
  const answer = await api.post(path, body);
  if (!still(signIn)) return undefined;
  return leaveFor(answer.url, { ...pending, sessionId: answer.sessionId, amount: answer.amount, currency: answer.currency });
}

function leaveFor(url, pending) {
  const left = leaveTo(url); // first: an address that is not a web page leaves nothing behind
  sessionStorage.setItem(pendingKey, JSON.stringify({ ...pending, accountId: session.accountId }));
  announce('status', 'Opening Stripe Checkout…');
  return left;
}

async function openPortal() {
  announce('alert', '');
  // The subscription as it is now, not as this tab last drew it: back from the portal, only a change made there counts.
  const signIn = state.signIn;
  const [answer, current] = await Promise.all([api.post('/api/billing/portal'), api.get('/api/billing/subscription')]);
  if (!still(signIn)) return undefined;
  const left = leaveTo(answer.url);
  sessionStorage.setItem(portalKey, JSON.stringify({ before: fingerprint(current), accountId: session.accountId }));
  announce('status', 'Opening the Stripe customer portal…');
  return left;
}

async function startTrial() {
  announce('alert', '');
  const signIn = state.signIn;
  const trial = await api.post('/api/billing/trial');
  if (!still(signIn)) return;
  await loadPlanAndCatalog();
  if (!still(signIn)) return;
  announce('status', `Your free trial has started. It ends on ${formatDateTime(trial.endsAt)}.`);
}

/**
 * Runs the action of a button that opens Stripe (Checkout, the portal: data-stripe) or starts the trial. While its session is asked for
 * and Stripe's page loads, every other such button waits too: a second click on another plan, pack or add-on started a
 * second session, the API expired the first when it made the second, and the browser went wherever the answer that
 * came last sent it, possibly to the expired session; a trial started meanwhile expires a Checkout that grants Stripe's
 * trial the same way. Back enables them again (ui.js, pageshow).
 */
function toStripe(button, action) {
  const others = new Set();
  const hold = () => {
    for (const other of document.querySelectorAll('button[data-stripe]')) {
      if (other === button || other.disabled || others.has(other)) continue;
      other.disabled = true;
      others.add(other);
    }
  };
  hold();
  // A section drawn while it runs (the page still loading its credit offers, a refresh) brings buttons of its own: they wait too.
  const drawn = new MutationObserver(hold);
  drawn.observe(document.body, { childList: true, subtree: true });
  return busy(button, 'alert', ofThisSignIn(action)).then((result) => {
    drawn.disconnect();
    for (const other of others) {
      if (result === leaving) other.dataset.leaving = 'true';
      else other.disabled = false;
    }
    return result;
  });
}

function showAlertWithAction(message, label, action) {
  announce('alert', message, { error: true });
  document.getElementById('alert').append(el('p', {}, el('button', { type: 'button', 'data-stripe': true, onclick: (event) => toStripe(event.currentTarget, action) }, label)));
}

/**
 * Back from Checkout (/billing/success?session_id=...): Stripe's webhooks reach the API asynchronously, so the page polls
 * until what was bought shows (a paid plan, the credit entry or the add-on of this session), for at most 30 s.
 */
async function confirmCheckout(sessionId, pending) {
  const signIn = state.signIn;
  const deadline = Date.now() + CONFIRM_TIMEOUT_MS;
  while (Date.now() < deadline && still(signIn)) {
    try {
      if (await confirmed(pending, sessionId) && still(signIn)) {
        sessionStorage.removeItem(pendingKey);
        history.replaceState(null, '', pageAddress());
        await loadAll();
        if (still(signIn)) announce('status', confirmation(pending));
        return;
      }
    } catch (error) {
      if (still(signIn)) announce('alert', error.message, { error: true });
    }
    await new Promise((resolve) => setTimeout(resolve, CONFIRM_POLL_MS));
  }
  if (still(signIn)) {
    // Paid, only not confirmed yet: the pending Checkout must not later read as one that was cancelled, and a refresh
    // must not confirm it again without knowing what was bought.
    sessionStorage.removeItem(pendingKey);
    history.replaceState(null, '', pageAddress());
    announce('status', '');
    announce('alert', 'Your payment went through, but we have not received Stripe\'s confirmation yet. Nothing more is needed from you: refresh this page in a minute to see it.', { error: true });
  }
}

/**
 * The page's own address without what Checkout's success URL added: the session_id, and a last path segment "success"
 * (this host's /billing/success). A page embedded elsewhere (/settings/billing?session_id=...) stays where it is.
 */
function pageAddress() {
  const url = new URL(location.href);
  url.searchParams.delete('session_id');
  url.pathname = url.pathname.replace(/\/success\/?$/, '/');
  return url.pathname + url.search + url.hash;
}

/** A credit pack or an add-on (a purchase), not a plan (a subscription). */
function isCredit(pending) {
  return pending?.kind === 'credit_pack' || pending?.kind === 'add_on';
}

function readPending(sessionId) {
  const pending = storedPending();
  return pending?.sessionId === sessionId ? pending : null;
}

/** What this tab left for Checkout to buy, or null. */
function storedPending() {
  try {
    return JSON.parse(sessionStorage.getItem(pendingKey) ?? 'null');
  } catch {
    return null;
  }
}

/**
 * The portal visit this tab's account made ({ before: the subscription's fingerprint as it left }), or null: none, or
 * another account's (it signed out before its page had looked: that account's to look at when it signs in again). A
 * visit stored before the account was recorded with it (the fingerprint alone) is the account's signed in.
 */
function storedPortalVisit() {
  const stored = sessionStorage.getItem(portalKey);
  if (!stored) return null;
  let visit;
  try {
    visit = JSON.parse(stored);
  } catch {
    return { before: stored };
  }
  if (Array.isArray(visit) || typeof visit?.before !== 'string') return { before: stored };
  return visit.accountId && session.accountId && visit.accountId !== session.accountId ? null : visit;
}

/** A purchase another account signed in on this tab made (development sign-in; a host app's token names no account here). */
function anothers(pending) {
  return Boolean(pending?.accountId && session.accountId && pending.accountId !== session.accountId);
}

async function confirmed(pending, sessionId) {
  if (pending?.kind === 'credit_pack') {
    const credits = await api.get('/api/billing/credits', { query: { limit: LEDGER_PAGE } });
    return credits.entries.some((e) => e.kind === 'grant' && e.reference === sessionId);
  }
  if (pending?.kind === 'add_on') {
    const entitlements = await api.get('/api/billing/entitlements');
    return entitlements.addOns.some((a) => a.sessionId === sessionId);
  }
  const subscription = await api.get('/api/billing/subscription');
  return pending?.plan ? subscription.plan.code === pending.plan : subscription.plan.kind === 'paid';
}

function confirmation(pending) {
  if (pending?.kind === 'credit_pack') return `Thank you: your ${pending.name} was added to your credit.`;
  if (pending?.kind === 'add_on') return `Thank you: ${pending.name} now raises your limits.`;
  return `You are now on ${state.subscription?.plan.displayName ?? pending?.name ?? 'your new plan'}.`;
}

/** What the portal can change about the subscription. */
function fingerprint(subscription) {
  const details = subscription?.subscription;
  return JSON.stringify([subscription?.plan.code, details?.status, details?.interval, subscription?.cancelAtPeriodEnd, details?.cancelAt, subscription?.planEndsAt]);
}

/**
 * Back from the portal: what was changed there reaches the API by webhook, a moment later. The page looks again every
 * 2 s for 20 s, then every 10 s up to 2 minutes, and shows the change when it lands. Not only 20 s: an event whose
 * first processing failed (its queue message seen before the event was stored, a Stripe or Cosmos hiccup) is processed
 * again after the queue's visibilityTimeout (30 s, host.json), and nothing else on the page draws the plan again.
 */
const portalWatchText = 'Welcome back: checking for changes made in the billing portal…';

async function watchAfterPortal(before) {
  sessionStorage.removeItem(portalKey);
  if (fingerprint(state.subscription) !== before) {
    announce('status', 'Your changes in the billing portal are shown below.');
    return;
  }
  announce('status', portalWatchText); // said at start already; the same sentence, so nothing moves
  const signIn = state.signIn;
  const started = Date.now();
  while (Date.now() - started < PORTAL_WATCH_MS && still(signIn)) {
    await new Promise((resolve) => setTimeout(resolve, Date.now() - started < PORTAL_FAST_WATCH_MS ? 2_000 : 10_000));
    const subscription = await api.get('/api/billing/subscription').catch(() => null);
    if (subscription && still(signIn) && fingerprint(subscription) !== before) {
      await loadPlanAndCatalog();
      if (still(signIn)) announce('status', 'Your changes in the billing portal are shown below.');
      return;
    }
  }
  // No longer checking: the sentence goes, its line's space stays (the sections under it moved up under a press).
  if (still(signIn)) announce('status', '', { keepSpace: true });
}

// Last: with a stored sign-in, onSignedIn runs at once, and everything above must be initialised by then.
mountSignIn(session, config, {
  formHostId: 'sign-in',
  label: 'Account id',
  statusId: 'alert',
  onSignedOut: () => {
    state.signIn = null;
    announce('status', '');
    announce('alert', '');
    render('content');
  },
  onSignedIn: () => start(),
});

// The operator page (admin role): accounts, one account's full picture with credit adjustment and re-sync, every
// account's invoices, and the poison queues with replay. Views are chosen by the URL's hash (#accounts,
// #account/ID, #invoices, #poison) so the browser's back button and bookmarks work; each view is one module.
import { createApi } from './api.js';
import { createSession, loadConfig, mountSignIn } from './session.js';
import { announce, render } from './ui.js';
import { showAccounts } from './operator-accounts.js';
import { showAccount } from './operator-account.js';
import { showInvoices } from './operator-invoices.js';
import { showPoison } from './operator-poison.js';

const config = await loadConfig();
const session = createSession(config, 'operator');
const api = createApi({ baseUrl: config.apiBaseUrl, getToken: () => session.getToken() });
const nav = document.getElementById('views');
let signedIn = false;
let generation = 0;
let signIns = 0; // one more at each sign-out
let shown = null; // the view on screen and its argument, as route() drew it

/**
 * What every view gets: the API, where to say things, and whether it is still the view on screen. An answer that comes
 * after the operator signed out (and perhaps another signed in) says nothing: ok, fail and clear of a view of a session
 * signed out do nothing, where a view of the same session left for another is still heard (with its account named).
 */
function context() {
  const mine = ++generation;
  const signIn = signIns;
  const heard = () => signedIn && signIn === signIns;
  return {
    api,
    signIn, // which sign-in the view was made under: views of one sign-in may share what they drew, never across
    current: () => mine === generation,
    ok: (message) => {
      if (!heard()) return;
      announce('alert', '');
      announce('status', message);
    },
    fail: (error) => {
      if (!heard()) return;
      announce('status', '');
      announce('alert', messageFor(error), { error: true });
      // The view on screen could not be drawn (or one of its readings was refused): asked for again, even under another
      // address ("Accounts" on /operator/), it is drawn anew, which reads again.
      if (mine === generation) shown = null;
      if (error?.status === 403 && mine === generation) {
        // Without the role every view is refused alike: say so once instead of showing views that cannot load.
        nav.hidden = true;
        render('content');
      }
    },
    clear: () => {
      if (!heard()) return;
      announce('status', '');
      announce('alert', '');
    },
  };
}

/** The ApiError's sentence; a 403 here means the signed-in token lacks the operator role. */
export function messageFor(error) {
  if (error?.status === 403) {
    return 'You are signed in without the billing operator role, so the operator views are not allowed. Sign in with an operator (billing admin) account.';
  }
  return error?.message ?? String(error);
}

/** #account/ID: ID is percent-encoded; an address mangled on the way (#account/%E0) shows the accounts instead. */
async function showAccountOf(ctx, encoded) {
  let accountId;
  try {
    accountId = decodeURIComponent(encoded);
  } catch {
    await showAccounts(ctx);
    if (ctx.current()) announce('alert', 'The address does not name an account (its account id is not validly encoded), so the accounts are shown instead.', { error: true });
    return;
  }
  await showAccount(ctx, accountId);
}

const views = [
  { name: 'accounts', match: /^#?(?:accounts)?$/, show: (ctx) => showAccounts(ctx) },
  { name: 'accounts', match: /^#account\/(.+)$/, show: (ctx, id) => showAccountOf(ctx, id) },
  { name: 'invoices', match: /^#invoices$/, show: (ctx) => showInvoices(ctx) },
  { name: 'poison', match: /^#poison$/, show: (ctx) => showPoison(ctx) },
];

async function route() {
  if (!signedIn) return;
  const hash = location.hash;
  const view = views.find((v) => v.match.test(hash)) ?? views[0];
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.view === view.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const [, argument] = view.match.exec(hash) ?? [];
  // The view on screen asked for again under another address ("Accounts", #accounts, on /operator/ with no hash) is
  // left as it is: drawn anew, it dropped what the operator had typed in its filters and not yet submitted.
  const key = `${views.indexOf(view)}:${argument ?? ''}`;
  if (key === shown) return;
  shown = key;
  const ctx = context();
  ctx.clear();
  await view.show(ctx, argument);
}

window.addEventListener('hashchange', () => route());

mountSignIn(session, config, {
  formHostId: 'sign-in',
  label: 'Operator id',
  statusId: 'alert',
  onSignedOut: () => {
    signedIn = false;
    generation++;
    signIns++;
    shown = null;
    nav.hidden = true;
    announce('status', '');
    announce('alert', '');
    render('content');
  },
  onSignedIn: () => {
    signedIn = true;
    nav.hidden = false;
    route();
  },
});

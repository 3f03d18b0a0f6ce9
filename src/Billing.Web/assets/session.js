// Who is signed in, and the token the API calls carry.
// - In a team's own app (production): the app defines window.billingHost = { apiBaseUrl, getToken } before the page's
//   script runs, and getToken returns its OIDC access token for the billing API. No sign-in form is shown.
// - Locally: the page host (src/Tools/Billing.PageHost) serves /page-config.json and signs a developer in as a chosen
//   account with a development token from /dev/token. Those development tokens are accepted only by a function app
//   running with the development signing key.

const storageKey = (kind) => `billing.session.${kind}`;

/** Where the API is and how sign-in works: { apiBaseUrl, signIn: 'host' | 'development' }. */
export async function loadConfig() {
  const host = window.billingHost;
  if (host?.apiBaseUrl && typeof host.getToken === 'function') {
    return { apiBaseUrl: host.apiBaseUrl, signIn: 'host' };
  }
  const response = await fetch('/page-config.json', { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error('The page could not load its configuration (/page-config.json).');
  return response.json();
}

/**
 * The session of one page: kind 'billing' (a customer's account) or 'operator' (the admin role).
 * @returns {{ accountId: string|null, getToken: () => Promise<string|null>, signIn: (accountId: string) => Promise<void>, signOut: () => void, signedIn: () => boolean }}
 */
export function createSession(config, kind) {
  if (config.signIn === 'host') {
    return {
      accountId: null,
      getToken: () => window.billingHost.getToken(),
      signIn: async () => {},
      signOut: () => window.billingHost.signOut?.(),
      signedIn: () => true,
    };
  }

  let stored = readStored(kind);
  const requestToken = async (accountId) => {
    const response = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ accountId, operator: kind === 'operator' }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body?.detail ?? 'Sign-in failed.');
    return { accountId, token: body.token, expiresAt: body.expiresAt };
  };
  const keep = (session) => {
    stored = session;
    sessionStorage.setItem(storageKey(kind), JSON.stringify(stored));
  };
  return {
    get accountId() {
      return stored?.accountId ?? null;
    },
    async getToken() {
      const current = stored;
      if (!current) return null;
      if (Date.parse(current.expiresAt) - Date.now() < 60_000) {
        const renewed = await requestToken(current.accountId);
        // Signed out (or in again) while it was renewed: the renewal is not kept (it stored the session signed out again).
        if (stored !== current) return stored?.token ?? null;
        keep(renewed);
      }
      return stored.token;
    },
    async signIn(accountId) {
      keep(await requestToken(accountId));
    },
    signOut() {
      stored = null;
      sessionStorage.removeItem(storageKey(kind));
    },
    signedIn: () => stored !== null,
  };
}

function readStored(kind) {
  try {
    const value = JSON.parse(sessionStorage.getItem(storageKey(kind)) ?? 'null');
    return value?.token && value?.accountId ? value : null;
  } catch {
    return null;
  }
}

/**
 * Shows the development sign-in form in the element with id formHostId (nothing with a host app), then calls
 * onSignedIn. label: what the id is ("Account id", "Operator id").
 */
export function mountSignIn(session, config, { formHostId, label, statusId, onSignedIn, onSignedOut }) {
  const host = document.getElementById(formHostId);
  if (config.signIn === 'host') {
    host.replaceChildren();
    onSignedIn();
    return;
  }

  const showForm = () => {
    const input = document.createElement('input');
    input.id = `${formHostId}-id`;
    input.name = 'accountId';
    input.required = true;
    input.autocomplete = 'username';
    input.pattern = '[A-Za-z0-9._\\-]{1,64}';
    input.value = session.accountId ?? '';
    const labelElement = document.createElement('label');
    labelElement.htmlFor = input.id;
    labelElement.textContent = label;
    const hint = document.createElement('p');
    hint.className = 'muted';
    hint.id = `${formHostId}-hint`;
    hint.textContent = 'Local development sign-in: any id of letters, digits, ".", "_" or "-" (a development token is made for it).';
    input.setAttribute('aria-describedby', hint.id);
    const button = document.createElement('button');
    button.type = 'submit';
    button.className = 'primary';
    button.textContent = 'Sign in';
    const field = document.createElement('div');
    field.append(labelElement, input);
    const form = document.createElement('form');
    form.className = 'inline';
    form.setAttribute('aria-label', 'Sign in');
    form.append(field, button);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        await session.signIn(input.value.trim());
        showSignedIn();
      } catch (error) {
        const region = document.getElementById(statusId);
        region.textContent = error.message;
        region.classList.add('error');
      } finally {
        button.disabled = false;
      }
    });
    host.replaceChildren(form, hint);
  };

  const showSignedIn = () => {
    const who = document.createElement('span');
    who.textContent = `Signed in as ${session.accountId}`;
    const out = document.createElement('button');
    out.type = 'button';
    out.textContent = 'Sign out';
    out.addEventListener('click', () => {
      session.signOut();
      onSignedOut?.();
      showForm();
    });
    host.replaceChildren(who, ' ', out);
    onSignedIn();
  };

  if (session.signedIn()) showSignedIn();
  else showForm();
}

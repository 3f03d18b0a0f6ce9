// The operator page (admin role). Placeholder while the page is built: signs in and lists the first accounts.
import { createApi } from './api.js';
import { createSession, loadConfig, mountSignIn } from './session.js';
import { announce, el, render } from './ui.js';

const config = await loadConfig();
const session = createSession(config, 'operator');
const api = createApi({ baseUrl: config.apiBaseUrl, getToken: () => session.getToken() });

mountSignIn(session, config, {
  formHostId: 'sign-in',
  label: 'Operator id',
  statusId: 'alert',
  onSignedOut: () => render('content'),
  onSignedIn: async () => {
    try {
      const page = await api.get('/api/billing/admin/accounts', { query: { limit: 20 } });
      render('content', el('section', { class: 'card', 'aria-labelledby': 'accounts-title' }, el('h2', { id: 'accounts-title' }, 'Accounts'),
        el('ul', {}, (page.accounts ?? []).map((a) => el('li', {}, a.accountId)))));
    } catch (error) {
      announce('alert', error.message, { error: true });
    }
  },
});

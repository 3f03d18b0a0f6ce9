// The customer's billing page. Placeholder while the page is built: signs in and lists the plans.
import { createApi } from './api.js';
import { createSession, loadConfig, mountSignIn } from './session.js';
import { announce, el, render, formatMoney } from './ui.js';

const config = await loadConfig();
const session = createSession(config, 'billing');
const api = createApi({ baseUrl: config.apiBaseUrl, getToken: () => session.getToken() });

mountSignIn(session, config, {
  formHostId: 'sign-in',
  label: 'Account id',
  statusId: 'alert',
  onSignedOut: () => render('content'),
  onSignedIn: async () => {
    try {
      const plans = await api.get('/api/billing/plans');
      render('content', el('section', { class: 'card', 'aria-labelledby': 'plans-title' }, el('h2', { id: 'plans-title' }, 'Plans'),
        el('ul', {}, (plans.plans ?? []).map((p) => el('li', {}, p.displayName ?? p.code, ' ', p.price ? formatMoney(p.price.amount, p.price.currency) : '')))));
    } catch (error) {
      announce('alert', error.message, { error: true });
    }
  },
});

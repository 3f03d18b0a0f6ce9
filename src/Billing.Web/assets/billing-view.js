// How the billing page shows what the API answers: one function per section, each returning DOM nodes (no state, no
// API calls; billing.js owns those and passes the handlers in).
import { describeProblem, meterName } from './api.js';
import { formatMoney } from './money.js';
import { el, formatCount, formatDate, formatDateTime, formatPeriod, webUrl } from './ui.js';

const statusTones = {
  active: 'ok', trialing: 'ok', paid: 'ok',
  past_due: 'warn', incomplete: 'warn', unpaid: 'danger', paused: 'warn', open: 'warn', draft: 'neutral',
  canceled: 'danger', incomplete_expired: 'danger', void: 'danger', uncollectible: 'danger', deleted: 'danger',
};

/** A status as a badge: "past_due" -> "Past due" in the warning colours. */
export function badge(status) {
  const text = String(status ?? '').replaceAll('_', ' ');
  return el('span', { class: `badge ${statusTones[status] ?? 'neutral'}` }, text.charAt(0).toUpperCase() + text.slice(1));
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Agent runs" for agent_runs. */
export function meterTitle(meter) {
  return capitalize(meterName(meter));
}

function plural(count, meter) {
  const name = meterName(meter);
  return count === 1 && name.endsWith('s') ? name.slice(0, -1) : name;
}

/** A plan's overage price in words: "$0.02 per agent run beyond the included 5,000". */
export function overagePrice(meter, overage) {
  if (!overage) return null;
  if (overage.unitAmount !== null && overage.unitAmount !== undefined) {
    return `${formatMoney(overage.unitAmount, overage.currency)} per ${plural(1, meter)} beyond`;
  }
  // Tiers count the units beyond the included ones: "$5.00 flat for up to 10,000,000 more tokens, then $10.00 flat".
  const tiers = (overage.tiers ?? []).map((tier, index) => {
    const parts = [];
    if (tier.flatAmount) parts.push(`${formatMoney(tier.flatAmount, overage.currency)} flat`);
    if (tier.unitAmount) parts.push(`${formatMoney(tier.unitAmount, overage.currency)} per ${plural(1, meter)}`);
    const price = parts.join(' + ') || 'nothing more';
    if (tier.upTo === null) return index === 0 ? `${price} beyond` : `${price} beyond that`;
    // upTo counts from the first unit beyond, so each later tier covers what its bound adds to the one before.
    const previous = index === 0 ? 0 : overage.tiers[index - 1].upTo;
    return index === 0 ? `${price} for up to ${formatCount(tier.upTo)} more` : `${price} for the next ${formatCount(tier.upTo - previous)}`;
  });
  return tiers.length ? tiers.join(', then ') : null;
}

const sourceText = {
  free: 'You are on the free plan.',
  localTrial: 'Your free trial is running.',
  subscription: 'Your subscription is paid up.',
  gracePeriod: 'Your last payment failed: your plan is kept for a grace period while you update your payment method.',
};

/**
 * Why the plan applies, in a sentence. The API's source does not tell a Stripe trial from a paid subscription
 * (both "subscription": nothing is paid during the trial), nor a free plan after a failed payment's grace period from
 * one never bought: the subscription's status does.
 */
function sourceSentence(subscription) {
  if (subscription.source === 'subscription' && subscription.subscription?.status === 'trialing') {
    return subscription.cancelAtPeriodEnd || subscription.subscription.cancelAt
      ? 'Your subscription is in its free trial and is cancelled: nothing will be charged.'
      : 'Your subscription is in its free trial: the first payment is taken when the trial ends.';
  }
  if (lapsed(subscription)) {
    return 'Your last payment failed and the grace period is over: the free plan applies until the payment goes through. Update your payment method in "Manage billing".';
  }
  return sourceText[subscription.source] ?? '';
}

/** A subscription whose payment failed and whose grace period has ended: Stripe still retries, its plan no longer applies. */
function lapsed(subscription) {
  return subscription.source === 'free' && ['past_due', 'unpaid'].includes(subscription.subscription?.status);
}

/** "Your plan": name, status, trial and renewal dates, Manage billing. */
export function planSection(subscription, { onManage }) {
  const details = subscription.subscription;
  const status = details?.status ?? (subscription.source === 'localTrial' ? 'trialing' : null);
  const facts = [];
  const trialEnd = details?.trialEnd ?? (subscription.trial?.local?.running ? subscription.trial.local.endsAt : null);
  if (status === 'trialing' && trialEnd) facts.push(['Trial ends', formatDateTime(trialEnd)]);
  // How a live subscription is billed; an ended one (cancelled at once, or never paid) bills nothing any more.
  if (details?.interval && !['canceled', 'incomplete_expired'].includes(details.status)) facts.push(['Billed', details.interval === 'year' ? 'Yearly' : 'Monthly']);
  // Cancelled at the period end or at a date (cancel_at), or kept for a grace period after a failed payment: the plan
  // ends on planEndsAt, not at the period end, so no renewal date is shown.
  if (subscription.planEndsAt && (subscription.cancelAtPeriodEnd || details?.cancelAt)) {
    facts.push(['Ends on', `${formatDateTime(subscription.planEndsAt)} (cancelled: the free plan applies after that)`]);
  } else if (subscription.planEndsAt && subscription.source === 'gracePeriod') {
    facts.push(['Kept until', `${formatDateTime(subscription.planEndsAt)} (unless the payment goes through: the free plan applies after that)`]);
  } else if (details && ['active', 'trialing', 'past_due'].includes(details.status) && details.currentPeriodEnd && !lapsed(subscription)) {
    facts.push([details.status === 'trialing' ? 'First payment' : 'Renews on', formatDateTime(details.currentPeriodEnd)]);
  } else if (subscription.planEndsAt && !(status === 'trialing' && trialEnd && Date.parse(trialEnd) === Date.parse(subscription.planEndsAt))) {
    // A local trial's plan ends when the trial does: "Trial ends" has said it already.
    facts.push(['Ends on', formatDateTime(subscription.planEndsAt)]);
  }
  facts.push(['Current period', formatPeriod(subscription.period.start, subscription.period.end)]);

  return [
    el('p', { class: 'plan-name' },
      el('strong', { id: 'current-plan' }, subscription.plan.displayName), ' ',
      status ? badge(status) : el('span', { class: 'badge neutral' }, 'Free')),
    el('p', {}, sourceSentence(subscription)),
    el('dl', { class: 'facts' }, facts.map(([term, value]) => [el('dt', {}, term), el('dd', {}, value)])),
    subscription.portalAvailable
      ? el('p', {}, el('button', { type: 'button', class: 'primary', 'data-stripe': true, onclick: onManage }, 'Manage billing'),
        ' ', el('span', { class: 'muted' }, 'Change plan, payment method or cancel in the Stripe customer portal.'))
      : el('p', { class: 'muted' }, 'Choose a paid plan below to subscribe; billing details are managed in the Stripe customer portal afterwards.'),
  ];
}

/** The first paid plan after the current one whose quota on the meter is larger (or unlimited). */
function upgradeFor(plans, currentCode, meter, limit) {
  const start = plans.findIndex((p) => p.code === currentCode);
  return plans.slice(start + 1).find((p) => p.kind === 'paid'
    && p.meters.some((m) => m.meter === meter && (m.quota === null || m.quota > limit))) ?? null;
}

/** "Usage this period": a bar per consumption meter, allocation meters, the hard-limit banner. */
export function usageSection(usage, entitlements, plans) {
  const period = usage.periods[0];
  const nodes = [];
  if (!period) return [el('p', {}, 'No usage period is open.')];
  nodes.push(el('p', { class: 'muted' }, `${period.plan.displayName} plan, ${formatPeriod(period.start, period.end)}. Updated ${formatDateTime(usage.asOf)}.`));

  const reached = period.meters.filter((m) => m.enforcement === 'hardLimit' && m.limit !== null && m.used >= m.limit);
  for (const meter of reached) {
    nodes.push(el('p', { class: 'banner error', 'data-limit-reached': meter.meter },
      describeProblem(402, { code: 'quota_exceeded', meter: meter.meter, limit: meter.limit, upgradePlanName: upgradeFor(plans, period.plan.code, meter.meter, meter.limit)?.displayName })));
  }

  const list = el('ul', { class: 'meters' });
  const catalog = plans.find((p) => p.code === period.plan.code);
  for (const meter of period.meters) {
    list.append(consumptionMeter(meter, overagePrice(meter.meter, catalog?.meters.find((m) => m.meter === meter.meter)?.overage)));
  }
  for (const meter of entitlements?.meters?.filter((m) => m.kind === 'allocation') ?? []) list.append(allocationMeter(meter));
  nodes.push(list);

  const total = period.overageTotal.filter((m) => m.amount > 0).map((m) => formatMoney(m.amount, m.currency)).join(' + ');
  nodes.push(el('p', {}, total ? `Overage so far this period: ${total} (billed when the period closes).` : 'No overage charges this period.'));
  return nodes;
}

function bar(id, label, value, max) {
  return [
    el('label', { for: id, class: 'meter-label' }, label),
    el('meter', { id, min: 0, max, value: Math.min(value, max), low: Math.floor(max * 0.8), high: Math.floor(max * 0.95), optimum: 0 }),
  ];
}

/** price: the plan's overage price in words, when the meter is billed as overage. */
function consumptionMeter(meter, price) {
  const id = `meter-${meter.meter}`;
  const title = meterTitle(meter.meter);
  if (meter.limit === null) {
    return el('li', {}, el('p', { class: 'meter-label' }, title), el('p', { id: `${id}-text` }, `${formatCount(meter.used)} ${plural(meter.used, meter.meter)} used (unlimited on your plan)`));
  }
  const lines = [`${formatCount(meter.remaining ?? 0)} left`];
  if (meter.enforcement === 'overage') {
    lines.push(meter.overageUnits > 0
      ? `${formatCount(meter.overageUnits)} beyond the included amount: ${formatMoney(meter.overageCharge?.amount ?? 0, meter.overageCharge?.currency)} so far${price ? ` (${price})` : ''}`
      : (price ? `then ${price}` : 'extra use is billed as overage'));
  } else {
    lines.push('hard limit');
  }
  return el('li', {},
    bar(id, `${title} used`, meter.used, meter.limit),
    el('p', { id: `${id}-text` }, `${formatCount(meter.used)} of ${formatCount(meter.limit)} ${plural(meter.limit, meter.meter)}`, el('span', { class: 'muted' }, ` · ${lines.join(' · ')}`)));
}

function allocationMeter(meter) {
  const id = `meter-${meter.meter}`;
  const title = meterTitle(meter.meter);
  const held = meter.held ?? 0;
  if (meter.limit === null) {
    return el('li', {}, el('p', { class: 'meter-label' }, title), el('p', { id: `${id}-text` }, `${formatCount(held)} in use (unlimited on your plan)`));
  }
  return el('li', {},
    bar(id, `${title} in use`, held, meter.limit),
    el('p', { id: `${id}-text` }, `${formatCount(held)} of ${formatCount(meter.limit)} ${plural(meter.limit, meter.meter)} in use`));
}

/** The plan catalog with quotas, features and one action per plan. */
export function plansSection(plans, pricesAvailable, subscription, interval, { onInterval, onChoose, onTrial }) {
  const intervals = [...new Set(plans.flatMap((p) => p.intervals))];
  const live = subscription.portalAvailable && ['active', 'trialing', 'past_due', 'unpaid', 'paused'].includes(subscription.subscription?.status);
  const current = subscription.plan.code;
  const currentIndex = plans.findIndex((p) => p.code === current);
  const nodes = [];
  if (intervals.length > 1) {
    nodes.push(el('fieldset', { class: 'intervals' }, el('legend', {}, 'Billing interval'),
      intervals.map((value) => el('label', { class: 'radio' },
        el('input', { type: 'radio', name: 'interval', value, checked: value === interval, onchange: () => onInterval(value) }),
        value === 'year' ? ' Yearly' : ' Monthly'))));
  }
  if (live) {
    nodes.push(el('p', { class: 'muted' }, 'You have a subscription: plan changes and cancellation happen in the Stripe customer portal ("Manage billing").'));
  }

  const grid = el('ul', { class: 'plans grid' });
  const shop = shopCurrency(plans);
  plans.forEach((plan, index) => {
    const isCurrent = plan.code === current;
    let action = null;
    if (isCurrent) {
      action = el('p', {}, el('span', { class: 'badge ok' }, 'Current plan'));
    } else if (plan.kind === 'trial') {
      action = subscription.trial.available && !live
        // data-stripe: starting the trial expires a Checkout that grants Stripe's trial, so it waits for one being opened and they for it.
        ? el('button', { type: 'button', 'data-stripe': true, onclick: (event) => onTrial(plan, event.currentTarget) }, `Start the ${plan.trialDays}-day free trial`)
        : el('p', { class: 'muted' }, live ? 'Not available with a subscription.' : 'You have already used your free trial.');
    } else if (plan.kind === 'paid') {
      const verb = live ? 'Switch to' : (index > currentIndex ? 'Upgrade to' : 'Switch to');
      const offered = plan.intervals.includes(interval);
      action = el('button', {
        type: 'button', class: index > currentIndex ? 'primary' : null, disabled: !offered, 'data-stripe': true,
        onclick: (event) => onChoose(plan, live, event.currentTarget),
      }, `${verb} ${plan.displayName}`);
      if (!offered) action = [action, el('p', { class: 'muted' }, `Not sold ${interval === 'year' ? 'yearly' : 'monthly'}.`)];
      else if (plan.trialDays > 0 && subscription.trial.available && !live) action = [el('p', { class: 'muted' }, `Starts with ${plan.trialDays} days free.`), action];
    } else if (live) {
      action = el('p', { class: 'muted' }, 'Cancel your subscription in "Manage billing" to return to this plan.');
    }

    grid.append(el('li', { class: `plan card${isCurrent ? ' current' : ''}`, 'aria-current': isCurrent ? 'true' : null },
      el('h3', {}, plan.displayName),
      priceText(plan, interval, shop) ? el('p', { class: 'price' }, priceText(plan, interval, shop)) : null,
      el('p', { class: 'muted' }, planKindText(plan)),
      el('ul', { class: 'quotas', 'aria-label': `${plan.displayName} quotas` }, plan.meters.map((m) => el('li', {}, quotaText(m)))),
      plan.features.length ? el('p', {}, 'Features: ', plan.features.map(featureName).join(', ')) : null,
      action));
  });
  nodes.push(grid);
  if (!pricesAvailable) nodes.push(el('p', { class: 'muted' }, 'Prices could not be loaded just now; the Stripe Checkout page shows the price before you pay.'));
  return nodes;
}

/**
 * The currency the shop sells in, for an amount of nothing (the free plan's price, an empty credit balance): a plan's
 * currency is that of its overage prices (null without overage, as on a free plan), so the first plan's that has one,
 * else the first Stripe price's; usd when the catalog names none.
 */
function shopCurrency(plans) {
  for (const plan of plans ?? []) {
    const code = plan.currency ?? plan.prices?.[0]?.currency;
    if (code) return code;
  }
  return 'usd';
}

/** "$49.00 a month" for the chosen interval (or the plan's only one); null when Stripe's price is not known. shop: shopCurrency. */
function priceText(plan, interval, shop) {
  if (plan.kind === 'free') return `${formatMoney(0, plan.currency ?? shop)}`;
  // Another interval's price only for a plan sold at that one interval: a price Stripe gave no fixed amount for is left
  // out of the list, and the other interval's must not stand beside a button that buys this one.
  const price = plan.prices?.find((p) => p.interval === interval) ?? (plan.intervals.length === 1 && plan.prices?.length === 1 ? plan.prices[0] : null);
  if (!price) return null;
  return `${formatMoney(price.amount, price.currency)} a ${price.interval}`;
}

function planKindText(plan) {
  if (plan.kind === 'free') return 'Free forever.';
  if (plan.kind === 'trial') return `${plan.trialDays} days free, once per account.`;
  return `Paid plan, billed ${plan.intervals.map((i) => (i === 'year' ? 'yearly' : 'monthly')).join(' or ')}.`;
}

function quotaText(meter) {
  const name = meterName(meter.meter);
  if (meter.quota === null) return `Unlimited ${name}`;
  const base = meter.kind === 'allocation'
    ? `${formatCount(meter.quota)} ${plural(meter.quota, meter.meter)} at once`
    : `${formatCount(meter.quota)} ${plural(meter.quota, meter.meter)} a period`;
  const price = overagePrice(meter.meter, meter.overage);
  return price ? `${base}, then ${price}` : base;
}

export function featureName(feature) {
  const names = { sso: 'Single sign-on (SSO)', priority_support: 'Priority support' };
  return names[feature] ?? capitalize(String(feature).replaceAll('_', ' '));
}

const reasonText = {
  free: 'You have never subscribed or started a trial: the free plan applies.',
  freeFallback: 'Your subscription or trial has ended: the free plan applies again.',
  localTrial: 'Your free trial applies',
  subscriptionTrial: 'Your subscription is in its trial',
  subscription: 'Your paid subscription applies',
  gracePeriod: 'Your payment failed; your plan is kept during the grace period',
};

/**
 * "Entitlements": every limit and feature flag, and why. The free fallback's reason does not tell an ended subscription
 * or trial from one whose payment failed and whose grace period is over (Stripe still retries): the subscription does.
 */
export function entitlementsSection(entitlements, subscription) {
  const why = entitlements.reason === 'freeFallback' && subscription && lapsed(subscription)
    ? 'Your last payment failed and the grace period is over: the free plan applies until the payment goes through.'
    : reasonText[entitlements.reason] ?? entitlements.reason;
  const until = entitlements.endsAt ? ` until ${formatDateTime(entitlements.endsAt)}.` : (why.endsWith('.') ? '' : '.');
  return [
    el('p', {}, el('strong', {}, `${entitlements.plan.displayName} plan. `), why + until),
    el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Limits' },
      el('table', {},
        el('caption', {}, 'Limits'),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Meter'), el('th', { scope: 'col' }, 'Limit'), el('th', { scope: 'col' }, 'When you reach it'))),
        el('tbody', {}, entitlements.meters.map((m) => el('tr', {},
          el('th', { scope: 'row' }, meterTitle(m.meter)),
          el('td', { class: 'number' }, m.limit === null ? 'Unlimited' : `${formatCount(m.limit)}${m.kind === 'allocation' ? ' at once' : ' a period'}`),
          el('td', {}, whenReached(m))))))),
    entitlements.addOns?.length ? el('h3', {}, 'Add-ons in these limits') : null,
    entitlements.addOns?.length ? el('ul', { class: 'add-ons' }, entitlements.addOns.map((a) => el('li', {},
      `+${formatCount(a.units)} ${meterTitle(a.meter)} (${a.code}), bought ${formatDateTime(a.grantedAt)}${a.expiresAt ? `, until ${formatDateTime(a.expiresAt)}` : ''}`))) : null,
    el('h3', {}, 'Features'),
    el('ul', { class: 'features' }, entitlements.features.map((f) => el('li', {},
      el('span', { class: `badge ${f.enabled ? 'ok' : 'neutral'}` }, f.enabled ? 'Included' : 'Not included'), ' ', featureName(f.feature)))),
  ];
}

/** What happens at a meter's limit: units held at once (projects) free up when one is released, not with a new period. */
function whenReached(meter) {
  if (meter.enforcement === 'overage') return 'Billed as overage';
  return meter.kind === 'allocation' ? 'Blocked until one is released or you upgrade' : 'Blocked until the next period or an upgrade';
}

/** "Invoices": the first page of usage invoices (more: billing.js's "Show more invoices" button, or null) and the charges accrued this period. */
export function invoicesSection(invoices, upcoming, more = null) {
  const nodes = [];
  if (invoices.invoices.length === 0) {
    nodes.push(el('p', {}, 'No invoices yet. Usage beyond your plan is invoiced when its period closes.'));
  } else {
    nodes.push(el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Usage invoices, newest first' },
      el('table', {},
        el('caption', {}, 'Usage invoices, newest first'),
        el('thead', {}, el('tr', {}, ['Invoice', 'Period', 'Status', 'Amount', 'Details'].map((h) => el('th', { scope: 'col', class: h === 'Amount' ? 'number' : null }, h)))),
        el('tbody', { id: 'invoice-rows' }, invoices.invoices.map(invoiceRow)))));
    if (more) nodes.push(more);
  }

  nodes.push(el('h3', {}, 'Upcoming charges'));
  if (!upcoming || upcoming.lines.length === 0 || upcoming.amount === 0) {
    nodes.push(el('p', {}, 'Nothing beyond your plan so far this period.'));
  } else {
    nodes.push(el('p', {}, `${formatMoney(upcoming.amount, upcoming.currency)} accrued for ${formatPeriod(upcoming.period.start, upcoming.period.end)}, invoiced when the period closes:`));
    nodes.push(el('ul', {}, upcoming.lines.map((line) => el('li', {}, `${line.description}: ${formatMoney(line.amount, upcoming.currency)}`))));
    if (upcoming.creditApplicable > 0) {
      nodes.push(el('p', {}, `Your prepaid credit would pay ${formatMoney(upcoming.creditApplicable, upcoming.currency)} of it, leaving ${formatMoney(upcoming.amountDue, upcoming.currency)} to invoice.`));
    }
  }
  return nodes;
}

/** One usage invoice as a table row. */
export function invoiceRow(invoice) {
  return el('tr', {},
    el('th', { scope: 'row' }, invoice.number ?? invoice.id),
    el('td', {}, formatPeriod(invoice.period.start, invoice.period.end)),
    el('td', {}, badge(invoice.status)),
    el('td', { class: 'number' }, formatMoney(invoice.amount, invoice.currency),
      invoice.creditApplied ? el('div', { class: 'muted' }, `after ${formatMoney(invoice.creditApplied, invoice.currency)} credit`) : null),
    el('td', {}, webUrl(invoice.hostedInvoiceUrl)
      ? el('a', { href: webUrl(invoice.hostedInvoiceUrl).href, rel: 'noopener' }, `View invoice ${invoice.number ?? ''}`.trim())
      : el('span', { class: 'muted' }, 'No link yet')));
}

const entryKinds = { grant: 'Purchase', spend: 'Spent on usage', expiry: 'Expired', reversal: 'Refund reversal', adjustment: 'Adjustment', restore: 'Returned: invoice voided or deleted', reinstatement: 'Returned: refund failed' };

/**
 * The balance, what is on sale (offersSection) and the ledger's entries so far (the "Show more" button is billing.js's).
 * entitlements: what the account may do now (null when it could not be read), for the add-ons that would raise nothing.
 */
export function creditsSection(credits, entries, offers, entitlements, handlers) {
  const balance = credits.balances.length
    ? credits.balances.map((b) => formatMoney(b.amount, b.currency)).join(' + ')
    : formatMoney(0, offers?.creditPacks?.[0]?.credit.currency ?? shopCurrency(offers?.plans));
  return [
    el('p', {}, 'Balance: ', el('strong', { id: 'credit-balance' }, balance), el('span', { class: 'muted' }, ' · spent first on usage invoices')),
    expiringCredit(credits.grants),
    el('div', { id: 'credit-offers' }, offersSection(offers, entitlements, handlers)),
    el('h3', {}, 'Credit history'),
    entries.length === 0 ? el('p', {}, 'No credit yet.') : el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Credit ledger, newest first' },
      el('table', {},
        el('caption', {}, 'Credit ledger, newest first'),
        el('thead', {}, el('tr', {}, ['Date', 'Entry', 'Amount', 'Reference'].map((h) => el('th', { scope: 'col', class: h === 'Amount' ? 'number' : null }, h)))),
        el('tbody', { id: 'ledger-rows' }, entries.map(ledgerRow)))),
  ];
}

/** When the credit that expires does (a pack valid a year): what is left of each such grant, soonest first. */
function expiringCredit(grants) {
  const expiring = (grants ?? []).filter((g) => g.expiresAt && !g.expired && g.remaining > 0)
    .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
  if (!expiring.length) return null;
  return el('ul', { class: 'plain', id: 'credit-expiry' }, expiring.map((g) => el('li', {},
    `${formatMoney(g.remaining, g.currency)} of it expires ${formatDateTime(g.expiresAt)}: what is left then is written off.`)));
}

/**
 * Credit packs and add-ons to buy (offers null: the catalog could not be read). An add-on on a meter the plan in force
 * puts no limit on would raise nothing (the API refuses it, 409 add_on_not_applicable): it is shown without a button.
 */
export function offersSection(offers, entitlements, { onBuyPack, onBuyAddOn }) {
  const unlimited = (meter) => entitlements?.meters?.some((m) => m.meter === meter && m.limit === null) ?? false;
  return [
    el('h3', {}, 'Buy credit'),
    !offers ? el('p', { class: 'muted' }, 'What is on sale could not be loaded: refresh the page to buy credit.')
    : offers.creditPacks.length ? el('ul', { class: 'offers' }, offers.creditPacks.map((pack) => el('li', {},
      el('button', { type: 'button', 'data-stripe': true, onclick: (event) => onBuyPack(pack, event.currentTarget) }, `Buy ${pack.displayName}`), ' ',
      el('span', { class: 'muted' }, `${formatMoney(pack.price.amount, pack.price.currency)} for ${formatMoney(pack.credit.amount, pack.credit.currency)} of credit. ${lifetimeText(pack.expiresAfterSeconds)}`)))) : el('p', {}, 'No credit packs are on sale.'),
    offers?.addOns.length ? el('h3', {}, 'Add-ons') : null,
    offers?.addOns.length ? el('ul', { class: 'offers' }, offers.addOns.map((addOn) => el('li', {}, unlimited(addOn.meter)
      ? [el('strong', {}, addOn.displayName), ' ', el('span', { class: 'muted' }, `${formatMoney(addOn.price.amount, addOn.price.currency)}: not needed, your ${entitlements.plan.displayName} plan puts no limit on ${meterName(addOn.meter)}.`)]
      : [el('button', { type: 'button', 'data-stripe': true, onclick: (event) => onBuyAddOn(addOn, event.currentTarget) }, `Buy ${addOn.displayName}`), ' ',
        el('span', { class: 'muted' }, `${formatMoney(addOn.price.amount, addOn.price.currency)}: ${addOnText(addOn)}`)]))) : null,
  ];
}

function lifetimeText(seconds) {
  if (seconds === null || seconds === undefined) return 'No expiry.';
  const days = seconds / 86_400;
  if (days >= 365 && days % 365 === 0) return days === 365 ? 'Valid for a year.' : `Valid for ${days / 365} years.`;
  if (days >= 1) return `Valid for ${formatCount(Math.floor(days))} days.`;
  return `Valid for ${formatCount(Math.max(1, Math.round(seconds / 60)))} minutes.`;
}

function addOnText(addOn) {
  const units = `${formatCount(addOn.units)} ${plural(addOn.units, addOn.meter)}`;
  if (addOn.meterKind === 'allocation') return `raises your ${meterName(addOn.meter)} limit by ${formatCount(addOn.units)}. ${lifetimeText(addOn.expiresAfterSeconds)}`;
  // On a consumption meter: the usage period it is bought in, or, with a lifetime, every period until it expires.
  return addOn.expiresAfterSeconds === null || addOn.expiresAfterSeconds === undefined
    ? `adds ${units} to this period.`
    : `adds ${units} to every usage period until it expires. ${lifetimeText(addOn.expiresAfterSeconds)}`;
}

export function ledgerRow(entry) {
  return el('tr', {},
    el('td', {}, formatDateTime(entry.at)),
    el('th', { scope: 'row' }, entryKinds[entry.kind] ?? entry.kind, entry.reason ? el('div', { class: 'muted' }, entry.reason) : null),
    el('td', { class: 'number' }, (entry.amount > 0 ? '+' : '') + formatMoney(entry.amount, entry.currency)),
    // A spend or restore names the usage period it belongs to; its reference (the invoicing run's id) stays in the title.
    entry.periodStart
      ? el('td', { class: 'reference', title: entry.reference ?? null }, `Usage from ${formatDate(entry.periodStart)}`)
      : el('td', { class: 'reference' }, entry.reference ?? ''));
}

// What the billing page offers to buy besides plans: credit packs and add-ons.
// The API sells them (POST /api/billing/credits/checkout {pack}, POST /api/billing/addons/checkout {addOn}) but does not
// list them: they are configuration (Billing:Purchases). These are the development catalog's, as docs/api.md documents
// them ("Prepaid credits and add-ons"). A team's host app can pass its own: window.billingHost.offers = { packs, addOns }.

const developmentOffers = {
  packs: [
    { code: 'CREDITS_10', name: '$10 credit pack', price: { amount: 1000, currency: 'usd' }, credit: { amount: 1000, currency: 'usd' }, note: 'No expiry.' },
    { code: 'CREDITS_50', name: '$50 credit pack', price: { amount: 5000, currency: 'usd' }, credit: { amount: 5500, currency: 'usd' }, note: 'Valid for a year.' },
  ],
  addOns: [
    { code: 'EXTRA_PROJECTS_5', name: '5 extra projects', description: 'Raises your project limit by 5.' },
    { code: 'EXTRA_AGENT_RUNS_100', name: '100 extra agent runs', description: 'Adds 100 agent runs to this period.' },
  ],
};

export function offers() {
  const fromHost = window.billingHost?.offers;
  return {
    packs: fromHost?.packs ?? developmentOffers.packs,
    addOns: fromHost?.addOns ?? developmentOffers.addOns,
  };
}

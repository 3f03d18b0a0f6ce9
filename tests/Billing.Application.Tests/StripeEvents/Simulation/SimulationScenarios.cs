using Billing.Application.Tests.Fakes;
using Billing.TestSupport;

namespace Billing.Application.Tests.StripeEvents.Simulation;

/// <summary>The acceptance scenarios, as Stripe-side steps; each begins with a customer and a paid checkout.</summary>
internal static class SimulationScenarios
{
    private const string Pro = TestCatalog.ProMonthly;
    private const string Basic = TestCatalog.BasicMonthly;

    public static IReadOnlyList<SimulationScenario> All { get; } =
    [
        new("checkout, then two renewals", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => stripe.Renew(s.Current),
            () => stripe.Renew(s.Current),
        ]),
        new("renewal payment fails, then the invoice is paid", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => stripe.Renew(s.Current, FakeStripe.Payment.Fails),
            () => stripe.PayLatestInvoice(s.Current),
        ]),
        new("renewal payment needs action and stays unpaid", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => stripe.Renew(s.Current, FakeStripe.Payment.RequiresAction),
        ]),
        new("cancel at period end, then the period ends", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => stripe.SetCancelAtPeriodEnd(s.Current, true),
            () => stripe.EndCancelledPeriod(s.Current),
        ]),
        new("cancel at period end taken back, then renewal", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => stripe.SetCancelAtPeriodEnd(s.Current, true),
            () => stripe.SetCancelAtPeriodEnd(s.Current, false),
            () => stripe.Renew(s.Current),
        ]),
        new("upgrade, renewal, downgrade", (stripe, s) =>
        [
            .. Checkout(stripe, s, Basic),
            () => stripe.ChangePrice(s.Current, Pro),
            () => stripe.Renew(s.Current),
            () => stripe.ChangePrice(s.Current, Basic),
        ]),
        new("trial, trial ending, first paid period", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro, trialDays: 14),
            () => stripe.TrialWillEnd(s.Current),
            () => stripe.EndTrial(s.Current),
        ]),
        new("cancel now, then subscribe again", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => stripe.CancelNow(s.Current),
            () => s.Subscriptions.Add(stripe.CompleteCheckout(s.AccountId, s.CustomerId, Basic, metadataOnSubscription: s.MetadataOnSubscription)),
            () => stripe.Renew(s.Current),
        ]),
        new("customer deleted", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => stripe.Renew(s.Current),
            () => stripe.DeleteCustomer(s.CustomerId),
        ]),
        new("customer deleted, then checkout with a new customer", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => stripe.DeleteCustomer(s.CustomerId),
            .. Checkout(stripe, s, Basic),
            () => stripe.Renew(s.Current),
        ]),
        new("two checkouts complete: the newer subscription is canceled and refunded", (stripe, s) =>
        [
            .. Checkout(stripe, s, Pro),
            () => s.Subscriptions.Add(stripe.CompleteCheckout(s.AccountId, s.CustomerId, Basic, metadataOnSubscription: s.MetadataOnSubscription)),
            () => stripe.Renew(s.Subscriptions[0]),
        ]),
    ];

    private static Action[] Checkout(FakeStripe stripe, ScenarioState s, string priceId, int trialDays = 0) =>
    [
        () => s.CustomerId = stripe.CreateCustomer(s.AccountId),
        () => s.Subscriptions.Add(stripe.CompleteCheckout(s.AccountId, s.CustomerId, priceId, trialDays, metadataOnSubscription: s.MetadataOnSubscription)),
    ];
}

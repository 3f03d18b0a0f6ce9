using System.Globalization;
using Billing.Application.Payments;
using Billing.Application.StripeEvents;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Pricing;
using Billing.Domain.Subscriptions;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// A small Stripe: customers and subscriptions as they are now, changed by the same actions as Stripe's (checkout,
/// renewals, failed payments, portal changes, cancellation, customer deletion), each raising the events Stripe
/// raises. Reads are dated on the shared clock, which moves one millisecond per read (or on an instance's own clock,
/// <see cref="ReadBy"/>). A stored event's payload is its id; <see cref="Read(string)"/> gives its facts back.
/// </summary>
internal sealed class FakeStripe(FakeTimeProvider time) : IStripeSubscriptionSource, IStripeEventPayloadReader, IStripeBillingGateway
{
    /// <summary>What the fake charges (and refunds) for a subscription's latest invoice, unless trialing.</summary>
    public static readonly Money InvoiceAmount = new(1_900, Currency.Parse("usd"));

    public static readonly TimeSpan ReadDuration = TimeSpan.FromMilliseconds(1);

    private readonly Dictionary<string, StripeEventPayload> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idempotentRequests = new(StringComparer.Ordinal);
    private int _nextId;

    public Dictionary<string, FakeStripeCustomer> Customers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, FakeStripeSubscription> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>Every event raised, in order.</summary>
    public List<StripeEventPayload> Events { get; } = [];

    public int Reads { get; private set; }

    /// <summary>Refunds made, by subscription (one full refund each, however often asked).</summary>
    public Dictionary<string, Money> Refunds { get; } = new(StringComparer.Ordinal);

    public List<string> ExpiredSessions { get; } = [];

    public FakeTimeProvider Time => time;

    /// <summary>When set, every subscription read throws it (Stripe down or refusing), as the adapter would.</summary>
    public PaymentProviderException? Outage { get; set; }

    /// <summary>When set, customer reads (only) throw it, as the adapter would.</summary>
    public PaymentProviderException? CustomerOutage { get; set; }

    /// <summary>
    /// The key reads another Stripe account (or mode): every subscription and customer id is "no such" (null), lists
    /// and searches are empty. Stripe's own data is unchanged: set it back and reads find it again.
    /// </summary>
    public bool KeyOfAnotherAccount { get; set; }

    /// <summary>
    /// Stripe's customer search lags behind its writes (up to an hour in an outage): it still finds a customer deleted
    /// since. Reads by id are current.
    /// </summary>
    public bool SearchLags { get; set; }

    // ---- Stripe's side: actions -------------------------------------------------------------------------------

    public string CreateCustomer(string? accountId)
    {
        Step();
        var customer = new FakeStripeCustomer { Id = NewId("cus"), AccountId = accountId };
        Customers.Add(customer.Id, customer);
        Emit("customer.created", "customer", customer.Id, customer.Id, null, accountId);
        return customer.Id;
    }

    /// <summary>A paid subscription-mode Checkout Session: subscription (trialing with <paramref name="trialDays"/>), first invoice, events.</summary>
    public FakeStripeSubscription CompleteCheckout(string accountId, string customerId, string priceId, int trialDays = 0, bool metadataOnSubscription = true)
    {
        Step();
        var now = time.GetUtcNow();
        var subscription = new FakeStripeSubscription
        {
            Id = NewId("sub"),
            CustomerId = customerId,
            Created = now,
            AccountId = metadataOnSubscription ? accountId : null,
            PriceId = priceId,
            Status = trialDays > 0 ? SubscriptionStatus.Trialing : SubscriptionStatus.Active,
            PeriodStart = now,
            PeriodEnd = trialDays > 0 ? now.AddDays(trialDays) : now.AddMonths(1),
            TrialStart = trialDays > 0 ? now : null,
            TrialEnd = trialDays > 0 ? now.AddDays(trialDays) : null,
            LatestInvoiceId = NewId("in"),
        };
        Subscriptions.Add(subscription.Id, subscription);
        var session = NewId("cs");
        Emit("checkout.session.completed", "checkout.session", session, customerId, subscription.Id, accountId, checkoutMode: "subscription");
        Emit("customer.subscription.created", "subscription", subscription.Id, customerId, subscription.Id, subscription.AccountId);
        EmitInvoice("invoice.paid", subscription, "subscription_create");
        return subscription;
    }

    /// <summary>A paid payment-mode Checkout Session (a one-off purchase).</summary>
    public string CompletePaymentCheckout(string accountId, string? customerId)
    {
        Step();
        var session = NewId("cs");
        Emit("checkout.session.completed", "checkout.session", session, customerId, null, accountId, checkoutMode: "payment");
        return session;
    }

    public enum Payment
    {
        Succeeds,
        Fails,
        RequiresAction,
    }

    /// <summary>The period ends: a new period and its invoice, paid or not.</summary>
    public void Renew(FakeStripeSubscription subscription, Payment payment = Payment.Succeeds)
    {
        MoveTo(subscription.PeriodEnd);
        subscription.PeriodStart = subscription.PeriodEnd;
        subscription.PeriodEnd = subscription.PeriodEnd.AddMonths(1);
        subscription.LatestInvoiceId = NewId("in");
        Charge(subscription, payment, "subscription_cycle");
    }

    /// <summary>The trial ends: the first paid period starts and is charged.</summary>
    public void EndTrial(FakeStripeSubscription subscription, Payment payment = Payment.Succeeds)
    {
        var trialEnd = subscription.TrialEnd ?? throw new InvalidOperationException("No trial.");
        MoveTo(trialEnd);
        subscription.PeriodStart = trialEnd;
        subscription.PeriodEnd = trialEnd.AddMonths(1);
        subscription.LatestInvoiceId = NewId("in");
        Charge(subscription, payment, "subscription_cycle");
    }

    public void TrialWillEnd(FakeStripeSubscription subscription)
    {
        MoveTo((subscription.TrialEnd ?? throw new InvalidOperationException("No trial.")).AddDays(-3));
        Emit("customer.subscription.trial_will_end", "subscription", subscription.Id, subscription.CustomerId, subscription.Id, subscription.AccountId);
    }

    /// <summary>The customer pays the open invoice (hosted page, new card): active again.</summary>
    /// <summary>The subscription's latest invoice is finalized (<c>invoice.finalized</c>), as Stripe finalizes every renewal.</summary>
    public void FinalizeLatestInvoice(FakeStripeSubscription subscription)
    {
        Step();
        EmitInvoice("invoice.finalized", subscription, "subscription_cycle");
    }

    public void PayLatestInvoice(FakeStripeSubscription subscription)
    {
        Step();
        EmitInvoice("invoice.paid", subscription, "subscription_cycle");
        if (subscription.Status.IsDelinquent)
        {
            subscription.Status = SubscriptionStatus.Active;
            EmitSubscriptionUpdated(subscription);
        }
    }

    /// <summary>A portal plan change (upgrade or downgrade, applied now).</summary>
    public void ChangePrice(FakeStripeSubscription subscription, string priceId)
    {
        Step();
        subscription.PriceId = priceId;
        EmitSubscriptionUpdated(subscription);
    }

    /// <summary>Portal "cancel at period end" (or taking it back).</summary>
    public void SetCancelAtPeriodEnd(FakeStripeSubscription subscription, bool cancel)
    {
        Step();
        subscription.CancelAtPeriodEnd = cancel;
        subscription.CancelAt = cancel ? subscription.PeriodEnd : null;
        subscription.CanceledAt = cancel ? time.GetUtcNow() : null;
        EmitSubscriptionUpdated(subscription);
    }

    /// <summary>The period of a subscription set to cancel at its end ends: canceled.</summary>
    public void EndCancelledPeriod(FakeStripeSubscription subscription)
    {
        MoveTo(subscription.PeriodEnd);
        subscription.Status = SubscriptionStatus.Canceled;
        subscription.EndedAt = subscription.PeriodEnd;
        Emit("customer.subscription.deleted", "subscription", subscription.Id, subscription.CustomerId, subscription.Id, subscription.AccountId);
    }

    public void CancelNow(FakeStripeSubscription subscription)
    {
        Step();
        var now = time.GetUtcNow();
        subscription.Status = SubscriptionStatus.Canceled;
        subscription.CanceledAt ??= now;
        subscription.EndedAt = now;
        Emit("customer.subscription.deleted", "subscription", subscription.Id, subscription.CustomerId, subscription.Id, subscription.AccountId);
    }

    /// <summary>
    /// Stripe no longer has the subscription (its test data deleted, the key now of another Stripe account): reads
    /// answer "no such subscription" (null) and no event is raised. <see cref="Restore"/> gives it back.
    /// </summary>
    public void Forget(FakeStripeSubscription subscription)
    {
        Step();
        Subscriptions.Remove(subscription.Id);
    }

    /// <summary>Stripe has the subscription again (the key set right again), as it was.</summary>
    public void Restore(FakeStripeSubscription subscription)
    {
        Step();
        Subscriptions[subscription.Id] = subscription;
    }

    /// <summary>Deleting a customer cancels its subscriptions at once, then the customer is gone.</summary>
    public void DeleteCustomer(string customerId)
    {
        foreach (var subscription in Subscriptions.Values.Where(s => s.CustomerId == customerId && !s.Status.IsTerminal).ToList())
        {
            CancelNow(subscription);
        }

        Step();
        Customers[customerId].Deleted = true;
        Emit("customer.deleted", "customer", customerId, customerId, null, Customers[customerId].AccountId);
    }

    /// <summary>A Checkout Session of the account expired unpaid.</summary>
    public StripeEventPayload ExpireCheckout(string sessionId, string? customerId, string? accountId)
    {
        Step();
        return Emit("checkout.session.expired", "checkout.session", sessionId, customerId, null, accountId, checkoutMode: "subscription");
    }

    /// <summary>An event naming the account whose object carries no id: its own, its customer's and its subscription's are all absent.</summary>
    public StripeEventPayload RaiseWithoutIds(string type, string objectType, string accountId) =>
        Emit(type, objectType, null, null, null, accountId);

    /// <summary>A one-off invoice (no subscription) was paid; it may name an account in its metadata.</summary>
    public StripeEventPayload PayOneOffInvoice(string customerId, string? accountReference = null) =>
        Emit("invoice.paid", "invoice", NewId("in"), customerId, null, accountReference, billingReason: "manual");

    /// <summary>The subscription's latest invoice, a draft, was deleted.</summary>
    public StripeEventPayload DeleteLatestInvoiceDraft(FakeStripeSubscription subscription)
    {
        Step();
        EmitInvoice("invoice.deleted", subscription, "subscription_cycle");
        return Events[^1];
    }

    // ---- the state the account must end in --------------------------------------------------------------------

    /// <summary>The customer's subscription that should be on the account: the strongest claim, then the newest.</summary>
    public FakeStripeSubscription? CurrentSubscriptionOf(string customerId) =>
        Subscriptions.Values
            .Where(s => s.CustomerId == customerId)
            .OrderByDescending(s => s.ToSnapshot(time.GetUtcNow()).Rank())
            .ThenByDescending(s => s.Created)
            .FirstOrDefault();

    // ---- IStripeSubscriptionSource ----------------------------------------------------------------------------

    public Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
        Task.FromResult(GetSubscription(subscriptionId, time));

    public Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SubscriptionSnapshot>>(ListCustomerSubscriptions(customerId, includeEnded, time));

    public Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        Read(time);
        return Task.FromResult(KeyOfAnotherAccount ? null : Customers.Values.FirstOrDefault(c => (SearchLags || !c.Deleted) && c.AccountId == accountId.Value)?.Id);
    }

    /// <summary>A customer deleted in Stripe is still read (deleted); one this Stripe never had is null.</summary>
    public Task<StripeCustomerSnapshot?> GetCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        Read(time);
        if (CustomerOutage is { } outage)
        {
            throw outage;
        }

        return Task.FromResult(!KeyOfAnotherAccount && Customers.TryGetValue(customerId, out var customer) ? new StripeCustomerSnapshot(customer.Id, customer.Deleted) : null);
    }

    /// <summary>
    /// This Stripe as another Functions instance reads it: its reads are dated on its own clock, which may run ahead of
    /// or behind the shared one (the test sets it).
    /// </summary>
    public IStripeSubscriptionSource ReadBy(FakeTimeProvider instanceClock) => new InstanceReads(this, instanceClock);

    private SubscriptionSnapshot? GetSubscription(string subscriptionId, FakeTimeProvider clock)
    {
        var asOf = Read(clock);
        return !KeyOfAnotherAccount && Subscriptions.TryGetValue(subscriptionId, out var subscription) ? subscription.ToSnapshot(asOf) : null;
    }

    private List<SubscriptionSnapshot> ListCustomerSubscriptions(string customerId, bool includeEnded, FakeTimeProvider clock)
    {
        var asOf = Read(clock);
        return Subscriptions.Values
            .Where(s => !KeyOfAnotherAccount && s.CustomerId == customerId && (includeEnded || s.Status != SubscriptionStatus.Canceled))
            .OrderByDescending(s => s.Created)
            .Select(s => s.ToSnapshot(asOf))
            .ToList();
    }

    private sealed class InstanceReads(FakeStripe stripe, FakeTimeProvider clock) : IStripeSubscriptionSource
    {
        public Task<SubscriptionSnapshot?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken) =>
            Task.FromResult(stripe.GetSubscription(subscriptionId, clock));

        public Task<IReadOnlyList<SubscriptionSnapshot>> ListCustomerSubscriptionsAsync(string customerId, bool includeEnded, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<SubscriptionSnapshot>>(stripe.ListCustomerSubscriptions(customerId, includeEnded, clock));

        public Task<string?> FindCustomerIdAsync(AccountId accountId, CancellationToken cancellationToken) =>
            stripe.FindCustomerIdAsync(accountId, cancellationToken);

        public Task<StripeCustomerSnapshot?> GetCustomerAsync(string customerId, CancellationToken cancellationToken) =>
            stripe.GetCustomerAsync(customerId, cancellationToken);
    }

    // ---- IStripeBillingGateway (what the webhook path writes) ----------------------------------------------------

    public Task<string> CreateCustomerAsync(NewStripeCustomer customer, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The simulation creates customers as Stripe-side steps.");

    public Task<HostedCheckoutSession> CreateCheckoutSessionAsync(HostedCheckoutRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The simulation completes checkouts as Stripe-side steps.");

    public Task<HostedPortalSession> CreatePortalSessionAsync(HostedPortalRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<HostedCheckoutSession> CreatePaymentCheckoutSessionAsync(HostedPaymentRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The simulation sells no one-off purchases.");

    public Task<ChargeStanding?> GetChargeAsync(string chargeId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The simulation raises no disputes or refunds.");

    public Task<CheckoutSessionExpiry> ExpireCheckoutSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        ExpiredSessions.Add(sessionId);
        return Task.FromResult(CheckoutSessionExpiry.Expired);
    }

    public Task CancelSubscriptionAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken)
    {
        RequireSameRequest(idempotencyKey, "cancel " + subscriptionId);
        if (!Subscriptions[subscriptionId].Status.IsTerminal)
        {
            CancelNow(Subscriptions[subscriptionId]);
        }

        return Task.CompletedTask;
    }

    public Task<Money?> RefundLatestInvoicePaymentAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken)
    {
        RequireSameRequest(idempotencyKey, "refund " + subscriptionId);
        var subscription = Subscriptions[subscriptionId];
        if (!Refunds.TryGetValue(subscriptionId, out var refunded))
        {
            if (subscription.Status == SubscriptionStatus.Trialing)
            {
                return Task.FromResult<Money?>(null);
            }

            refunded = InvoiceAmount;
            Refunds.Add(subscriptionId, refunded);
        }

        return Task.FromResult<Money?>(refunded);
    }

    /// <summary>As Stripe answers a key used again with other parameters (the first request's response is replayed otherwise, as the idempotent steps here do anyway).</summary>
    private void RequireSameRequest(string idempotencyKey, string request)
    {
        if (!_idempotentRequests.TryAdd(idempotencyKey, request) && _idempotentRequests[idempotencyKey] != request)
        {
            throw new PaymentProviderException($"Keys for idempotent requests can only be used with the same parameters they were first used with ('{idempotencyKey}').") { IsTransient = false };
        }
    }

    // ---- IStripeEventPayloadReader ----------------------------------------------------------------------------

    public StripeEventPayload Read(string payload) =>
        _events.TryGetValue(payload, out var stripeEvent) ? stripeEvent : throw new MalformedStripeEventException($"Not an event of this fake: '{payload}'.");

    // ---- helpers ----------------------------------------------------------------------------------------------

    private void Charge(FakeStripeSubscription subscription, Payment payment, string billingReason)
    {
        if (payment == Payment.Succeeds)
        {
            subscription.Status = SubscriptionStatus.Active;
            EmitSubscriptionUpdated(subscription);
            EmitInvoice("invoice.paid", subscription, billingReason);
            return;
        }

        subscription.Status = SubscriptionStatus.PastDue;
        EmitInvoice("invoice.payment_failed", subscription, billingReason);
        if (payment == Payment.RequiresAction)
        {
            EmitInvoice("invoice.payment_action_required", subscription, billingReason);
        }

        EmitSubscriptionUpdated(subscription);
    }

    private void EmitSubscriptionUpdated(FakeStripeSubscription subscription) =>
        Emit("customer.subscription.updated", "subscription", subscription.Id, subscription.CustomerId, subscription.Id, subscription.AccountId);

    private void EmitInvoice(string type, FakeStripeSubscription subscription, string billingReason) =>
        Emit(type, "invoice", subscription.LatestInvoiceId!, subscription.CustomerId, subscription.Id, subscription.AccountId, billingReason: billingReason);

    private StripeEventPayload Emit(string type, string objectType, string? objectId, string? customerId, string? subscriptionId, string? accountReference, string? checkoutMode = null, string? billingReason = null)
    {
        var stripeEvent = new StripeEventPayload
        {
            Id = NewId("evt"),
            Type = type,
            Created = time.GetUtcNow(),
            ObjectType = objectType,
            ObjectId = objectId,
            CustomerId = customerId,
            SubscriptionId = subscriptionId,
            AccountReference = accountReference,
            CheckoutMode = checkoutMode,
            PaymentStatus = checkoutMode is null ? null : "paid",
            BillingReason = billingReason,
        };
        _events.Add(stripeEvent.Id, stripeEvent);
        Events.Add(stripeEvent);
        return stripeEvent;
    }

    /// <summary>A read dated on <paramref name="clock"/> (the shared one, or an instance's own); it takes <see cref="ReadDuration"/> on both.</summary>
    private DateTimeOffset Read(FakeTimeProvider clock)
    {
        if (Outage is { } outage)
        {
            throw outage;
        }

        Reads++;
        var asOf = clock.GetUtcNow();
        time.Advance(ReadDuration);
        if (clock != time)
        {
            clock.Advance(ReadDuration);
        }

        return asOf;
    }

    private void Step() => time.Advance(TimeSpan.FromSeconds(1));

    private void MoveTo(DateTimeOffset instant)
    {
        Step();
        if (time.GetUtcNow() < instant)
        {
            time.SetUtcNow(instant);
        }
    }

    private string NewId(string prefix) => string.Create(CultureInfo.InvariantCulture, $"{prefix}_{++_nextId:D5}");
}

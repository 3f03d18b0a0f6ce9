using System.Collections.Concurrent;
using Billing.Application.Payments;
using Billing.Domain.Pricing;

namespace Billing.Application.Tests.Fakes;

/// <summary>
/// A Stripe stand-in with Stripe's idempotency for customer creation: one key, one customer, however many concurrent
/// calls (each call yields first, so racing callers really overlap). Records every call.
/// </summary>
internal sealed class FakeStripeBillingGateway : IStripeBillingGateway
{
    private readonly ConcurrentDictionary<string, Lazy<string>> _customersByKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<NewStripeCustomer> _customerCalls = new();
    private readonly ConcurrentQueue<HostedCheckoutRequest> _checkouts = new();
    private readonly ConcurrentDictionary<string, Lazy<string>> _checkoutsByKey = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HostedPortalRequest> _portals = new();
    private readonly ConcurrentQueue<HostedPaymentRequest> _payments = new();
    private readonly ConcurrentQueue<string> _expired = new();
    private int _customerSequence;
    private int _sessionSequence;

    /// <summary>Runs inside customer creation, e.g. to let another writer change the account meanwhile.</summary>
    public Func<NewStripeCustomer, Task>? DuringCustomerCreation { get; set; }

    /// <summary>Runs inside Checkout Session creation, e.g. to let another request change the account meanwhile.</summary>
    public Func<HostedCheckoutRequest, Task>? DuringCheckoutCreation { get; set; }

    /// <summary>The <c>expires_at</c> Stripe reports on the Checkout Sessions it creates; null: none reported.</summary>
    public DateTimeOffset? CheckoutExpiresAt { get; set; }

    /// <summary>When true, Checkout Session creation has Stripe's idempotency too: one key, one session.</summary>
    public bool IdempotentCheckouts { get; set; }

    /// <summary>Called once Stripe has expired a session, before the call returns (to act between the expiry and what follows it).</summary>
    public Action<string>? AfterExpire { get; set; }

    /// <summary>When set, every call fails with this exception.</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyCollection<NewStripeCustomer> CustomerCalls => _customerCalls;

    public IReadOnlyCollection<string> CreatedCustomers => [.. _customersByKey.Values.Where(v => v.IsValueCreated).Select(v => v.Value)];

    public IReadOnlyCollection<HostedCheckoutRequest> Checkouts => _checkouts;

    public IReadOnlyCollection<HostedPortalRequest> Portals => _portals;

    public IReadOnlyCollection<HostedPaymentRequest> PaymentCheckouts => _payments;

    /// <summary>Charge id -> the charge as Stripe has it now, for <see cref="GetChargeAsync"/>.</summary>
    public ConcurrentDictionary<string, ChargeStanding> Charges { get; } = new(StringComparer.Ordinal);

    /// <summary>Every session asked to expire (a completed one too: it answers <see cref="CheckoutSessionExpiry.Completed"/>).</summary>
    public IReadOnlyCollection<string> ExpiredSessions => _expired;

    /// <summary>Sessions the customer paid at Stripe (their <c>checkout.session.completed</c> not processed yet): no longer expirable.</summary>
    public ConcurrentDictionary<string, bool> CompletedSessions { get; } = new(StringComparer.Ordinal);

    public int TotalCalls => _customerCalls.Count + _checkouts.Count + _portals.Count + _expired.Count + _payments.Count;

    public async Task<string> CreateCustomerAsync(NewStripeCustomer customer, CancellationToken cancellationToken)
    {
        _customerCalls.Enqueue(customer);
        await Task.Yield();
        ThrowIfFailing();
        if (DuringCustomerCreation is { } during)
        {
            await during(customer);
        }

        return _customersByKey.GetOrAdd(
            customer.IdempotencyKey,
            _ => new Lazy<string>(() => $"cus_fake{Interlocked.Increment(ref _customerSequence)}")).Value;
    }

    public async Task<HostedCheckoutSession> CreateCheckoutSessionAsync(HostedCheckoutRequest request, CancellationToken cancellationToken)
    {
        _checkouts.Enqueue(request);
        await Task.Yield();
        ThrowIfFailing();
        if (DuringCheckoutCreation is { } during)
        {
            await during(request);
        }

        var id = IdempotentCheckouts && request.IdempotencyKey is { } key
            ? _checkoutsByKey.GetOrAdd(key, _ => new Lazy<string>(NextSessionId)).Value
            : NextSessionId();
        return new HostedCheckoutSession(id, new Uri($"https://checkout.stripe.test/c/{id}"), CheckoutExpiresAt);
    }

    private string NextSessionId() => $"cs_test_fake{Interlocked.Increment(ref _sessionSequence)}";

    public async Task<HostedCheckoutSession> CreatePaymentCheckoutSessionAsync(HostedPaymentRequest request, CancellationToken cancellationToken)
    {
        _payments.Enqueue(request);
        await Task.Yield();
        ThrowIfFailing();
        var id = $"cs_test_pay{Interlocked.Increment(ref _sessionSequence)}";
        return new HostedCheckoutSession(id, new Uri($"https://checkout.stripe.test/c/{id}"));
    }

    /// <summary>Called after each <see cref="GetChargeAsync"/> with the charge id: Stripe changing between two reads.</summary>
    public Action<string>? AfterChargeRead { get; set; }

    public Task<ChargeStanding?> GetChargeAsync(string chargeId, CancellationToken cancellationToken)
    {
        var charge = Charges.TryGetValue(chargeId, out var found) ? found : null;
        AfterChargeRead?.Invoke(chargeId);
        return Task.FromResult(charge);
    }

    public async Task<HostedPortalSession> CreatePortalSessionAsync(HostedPortalRequest request, CancellationToken cancellationToken)
    {
        _portals.Enqueue(request);
        await Task.Yield();
        ThrowIfFailing();
        var id = $"bps_fake{Interlocked.Increment(ref _sessionSequence)}";
        return new HostedPortalSession(id, new Uri($"https://billing.stripe.test/p/{id}"));
    }

    public async Task<CheckoutSessionExpiry> ExpireCheckoutSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested(); // as Stripe.net does before sending: a cancelled call expires nothing
        _expired.Enqueue(sessionId);
        await Task.Yield();
        ThrowIfFailing();
        AfterExpire?.Invoke(sessionId);
        return CompletedSessions.ContainsKey(sessionId) ? CheckoutSessionExpiry.Completed : CheckoutSessionExpiry.Expired;
    }

    public Task CancelSubscriptionAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The account use cases never cancel subscriptions.");

    public Task<Money?> RefundLatestInvoicePaymentAsync(string subscriptionId, string idempotencyKey, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The account use cases never refund.");

    private void ThrowIfFailing()
    {
        if (Failure is { } failure)
        {
            throw failure;
        }
    }
}

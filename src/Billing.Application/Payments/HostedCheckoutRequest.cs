using Billing.Domain.Accounts;

namespace Billing.Application.Payments;

/// <summary>A subscription-mode, hosted Checkout Session for one price, tied to the account three ways: its customer,
/// <c>client_reference_id</c>, and metadata <c>account_id</c> on both the session and the subscription it creates.</summary>
public sealed record HostedCheckoutRequest
{
    public required AccountId AccountId { get; init; }

    public required string CustomerId { get; init; }

    public required string PriceId { get; init; }

    /// <summary>Stripe-side trial length; null for none.</summary>
    public int? TrialDays { get; init; }

    /// <summary>May contain <c>{CHECKOUT_SESSION_ID}</c>, which Stripe fills in.</summary>
    public required string SuccessUrl { get; init; }

    public required string CancelUrl { get; init; }

    /// <summary>Derived from the operation (<see cref="PaymentIdempotencyKeys.CheckoutCreation"/>), never random.</summary>
    public string? IdempotencyKey { get; init; }
}

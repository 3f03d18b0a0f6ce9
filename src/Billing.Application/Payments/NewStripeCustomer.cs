using Billing.Domain.Accounts;

namespace Billing.Application.Payments;

/// <summary>The account's one Stripe customer, to be created with metadata <c>account_id</c>.</summary>
public sealed record NewStripeCustomer
{
    public required AccountId AccountId { get; init; }

    /// <summary>Derived from the account (<see cref="PaymentIdempotencyKeys.CustomerCreation"/>), never random.</summary>
    public required string IdempotencyKey { get; init; }
}

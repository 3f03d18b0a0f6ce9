using Billing.Application.Credits;
using Billing.Domain.Accounts;

namespace Billing.Application.Payments;

/// <summary>
/// A payment-mode, hosted Checkout Session selling one one-time price (a credit pack or an add-on), tied to the
/// account by its customer, <c>client_reference_id</c> and metadata <c>account_id</c>, with the purchase's terms
/// (<see cref="PurchaseTerms.ToMetadata"/>) in the metadata of the session and its PaymentIntent.
/// </summary>
public sealed record HostedPaymentRequest
{
    public required AccountId AccountId { get; init; }

    public required string CustomerId { get; init; }

    public required string PriceId { get; init; }

    /// <summary>What is sold and what it grants, frozen now.</summary>
    public required PurchaseTerms Terms { get; init; }

    public required string SuccessUrl { get; init; }

    public required string CancelUrl { get; init; }
}

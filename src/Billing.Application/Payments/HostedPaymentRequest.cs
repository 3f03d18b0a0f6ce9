using Billing.Domain.Accounts;

namespace Billing.Application.Payments;

/// <summary>
/// A payment-mode, hosted Checkout Session selling one one-time price (a credit pack or an add-on), tied to the
/// account by its customer, <c>client_reference_id</c> and metadata <c>account_id</c>, with <c>purchase</c> and
/// <c>purchase_code</c> metadata on the session and its PaymentIntent naming what is sold.
/// </summary>
public sealed record HostedPaymentRequest
{
    public required AccountId AccountId { get; init; }

    public required string CustomerId { get; init; }

    public required string PriceId { get; init; }

    /// <summary><c>credit_pack</c> or <c>add_on</c>.</summary>
    public required string Purchase { get; init; }

    public required string PurchaseCode { get; init; }

    public required string SuccessUrl { get; init; }

    public required string CancelUrl { get; init; }
}

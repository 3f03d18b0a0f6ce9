namespace Billing.Stripe.InvoiceItems;

/// <summary><c>pricing[price]</c>: an existing price id.</summary>
public sealed record InvoiceItemPricingRequest
{
    public required string Price { get; init; }
}

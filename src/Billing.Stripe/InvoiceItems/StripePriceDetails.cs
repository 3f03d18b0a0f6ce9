namespace Billing.Stripe.InvoiceItems;

/// <summary><c>pricing.price_details</c>.</summary>
public sealed record StripePriceDetails
{
    public string? Price { get; init; }

    public string? Product { get; init; }
}

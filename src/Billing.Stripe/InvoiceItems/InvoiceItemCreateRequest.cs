namespace Billing.Stripe.InvoiceItems;

/// <summary><c>POST /v1/invoiceitems</c> (dahlia shape). Price it with ONE of: <see cref="Amount"/> +
/// <see cref="Currency"/>, <see cref="Pricing"/> (an existing price), or <see cref="PriceData"/>.</summary>
public sealed record InvoiceItemCreateRequest
{
    public required string Customer { get; init; }

    /// <summary>Total in minor units (negative for a credit); needs <see cref="Currency"/>.</summary>
    public long? Amount { get; init; }

    public string? Currency { get; init; }

    public InvoiceItemPricingRequest? Pricing { get; init; }

    public InvoiceItemPriceData? PriceData { get; init; }

    public long? Quantity { get; init; }

    public InvoiceItemPeriodRequest? Period { get; init; }

    public string? Description { get; init; }

    /// <summary>A draft invoice to add the item to; otherwise it waits for the next invoice.</summary>
    public string? Invoice { get; init; }

    public string? Subscription { get; init; }

    public bool? Discountable { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

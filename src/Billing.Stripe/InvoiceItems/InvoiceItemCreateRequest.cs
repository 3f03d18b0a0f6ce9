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

/// <summary><c>pricing[price]</c>: an existing price id.</summary>
public sealed record InvoiceItemPricingRequest
{
    public required string Price { get; init; }
}

/// <summary><c>price_data</c>: an inline one-time price.</summary>
public sealed record InvoiceItemPriceData
{
    public required string Currency { get; init; }

    public required string Product { get; init; }

    public long? UnitAmount { get; init; }

    /// <summary>Sub-cent unit amount (at most 12 decimals); use instead of <see cref="UnitAmount"/>.</summary>
    public decimal? UnitAmountDecimal { get; init; }

    /// <summary>exclusive, inclusive or unspecified.</summary>
    public string? TaxBehavior { get; init; }
}

/// <summary><c>period[start]</c>, <c>period[end]</c>.</summary>
public sealed record InvoiceItemPeriodRequest
{
    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }
}

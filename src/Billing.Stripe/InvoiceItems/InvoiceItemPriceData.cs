namespace Billing.Stripe.InvoiceItems;

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

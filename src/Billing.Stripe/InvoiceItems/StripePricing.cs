namespace Billing.Stripe.InvoiceItems;

/// <summary>How an invoice item or line is priced (dahlia shape): <c>pricing{type, price_details{price, product}, unit_amount_decimal}</c>.</summary>
public sealed record StripePricing
{
    public string? Type { get; init; }

    public StripePriceDetails? PriceDetails { get; init; }

    public string? UnitAmountDecimal { get; init; }
}

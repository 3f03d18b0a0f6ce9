namespace Billing.Domain.Plans.Configuration;

/// <summary>A paid plan's Stripe price ids (<c>price_...</c>) per billing interval.</summary>
public sealed class PlanPriceOptions
{
    public string? Month { get; set; }

    public string? Year { get; set; }
}

namespace Billing.Stripe.Prices;

/// <summary>The recurring part of a price: interval and, for metered prices, the billing meter.</summary>
public sealed record StripePriceRecurring
{
    /// <summary>day, week, month or year.</summary>
    public string? Interval { get; init; }

    public int? IntervalCount { get; init; }

    /// <summary>licensed or metered.</summary>
    public string? UsageType { get; init; }

    /// <summary>The billing meter id (<c>mtr_...</c>) of a metered price.</summary>
    public string? Meter { get; init; }

    public int? TrialPeriodDays { get; init; }
}

namespace Billing.StripeEmulator.Configuration;

/// <summary>One seeded price (and its product, created once per product id).</summary>
internal sealed class PriceSeedOptions
{
    public string Id { get; set; } = string.Empty;

    public string Product { get; set; } = string.Empty;

    /// <summary>The product's display name; defaults to the product id.</summary>
    public string? ProductName { get; set; }

    /// <summary>Defaults to the price id.</summary>
    public string? LookupKey { get; set; }

    public long UnitAmount { get; set; }

    public string Currency { get; set; } = "usd";

    /// <summary>month, year, week or day for a recurring price; empty (or one_time) for a one-time price.</summary>
    public string? Interval { get; set; }

    public int IntervalCount { get; set; } = 1;

    public bool IsRecurring => !string.IsNullOrEmpty(Interval) && Interval != "one_time";
}
